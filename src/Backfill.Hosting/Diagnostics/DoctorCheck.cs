namespace Backfill.Hosting.Diagnostics;

/// <summary>How a check of <c>backfill doctor</c> came out.</summary>
public enum CheckStatus
{
    Ok,

    /// <summary>Works, but something limits or will surprise the operator.</summary>
    Warn,

    /// <summary>Broken: the product cannot do its work this way.</summary>
    Fail,
}

/// <summary>One row of <c>backfill doctor</c>: what was checked, how it came out, and a plain sentence (never a secret).</summary>
public sealed record DoctorCheck(string Check, CheckStatus Status, string Detail)
{
    public static DoctorCheck Ok(string check, string detail) => new(check, CheckStatus.Ok, detail);

    public static DoctorCheck Warn(string check, string detail) => new(check, CheckStatus.Warn, detail);

    public static DoctorCheck Fail(string check, string detail) => new(check, CheckStatus.Fail, detail);
}
