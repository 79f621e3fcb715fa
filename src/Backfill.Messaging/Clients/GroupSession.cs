namespace Backfill.Messaging.Clients;

/// <summary>A consumer group member's session at the coordinator and how often it heartbeats to keep it.</summary>
public readonly record struct GroupSession(TimeSpan Timeout, TimeSpan HeartbeatInterval);
