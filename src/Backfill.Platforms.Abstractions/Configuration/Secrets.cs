namespace Backfill.Platforms.Configuration;

/// <summary>Keeps secrets out of text that may reach logs, status output or exceptions.</summary>
public static class Secrets
{
    public const string Masked = "***";

    public static string Mask(string? secret) => string.IsNullOrEmpty(secret) ? "(none)" : Masked;

    /// <summary>Replaces every occurrence of a known secret, for text the platform wrote and might have echoed one into.</summary>
    public static string Scrub(string text, IEnumerable<string?> secrets)
    {
        foreach (var secret in secrets)
        {
            if (!string.IsNullOrEmpty(secret))
            {
                text = text.Replace(secret, Masked, StringComparison.Ordinal);
            }
        }

        return text;
    }
}
