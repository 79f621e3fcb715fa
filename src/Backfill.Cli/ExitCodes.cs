namespace Backfill.Cli;

/// <summary>0 = success, 1 = the operation failed, 2 = bad usage or bad configuration.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int Usage = 2;
}
