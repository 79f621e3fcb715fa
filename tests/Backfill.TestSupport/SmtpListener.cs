using System.Net;
using MimeKit;
using netDumbster.smtp;

namespace Backfill.Testing;

/// <summary>A real SMTP server on 127.0.0.1 on a free port (netDumbster), keeping every mail it received, parsed.</summary>
internal sealed class SmtpListener : IDisposable
{
    private readonly SimpleSmtpServer _server = netDumbster.smtp.Configuration.Configure().WithAddress(IPAddress.Loopback).WithRandomPort().Build();

    public int Port => _server.Configuration.Port;

    public IReadOnlyList<MimeMessage> Received =>
        [.. _server.ReceivedEmail.Select(m => MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(m.Data))))];

    public void Dispose() => _server.Dispose();
}
