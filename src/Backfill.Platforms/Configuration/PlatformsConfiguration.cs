using Microsoft.Extensions.Configuration;

namespace Backfill.Platforms.Configuration;

/// <summary>The <c>Platforms</c> configuration section: a platform name mapped to its <see cref="PlatformOptions"/>.</summary>
public static class PlatformsConfiguration
{
    /// <summary>The section's key.</summary>
    public const string SectionName = "Platforms";

    /// <summary>
    /// Everything wrong with the <c>Platforms</c> section, one message per problem naming the full key
    /// (<c>Platforms:demo:PartnerKey is required.</c>); empty when the section is usable or absent.
    /// </summary>
    public static IReadOnlyList<string> Validate(IConfiguration configuration)
    {
        var errors = new List<string>();
        foreach (var platform in configuration.GetSection(SectionName).GetChildren())
        {
            PlatformOptions options;
            try
            {
                options = Bind(platform, strict: true);
                options.RateLimit.ReserveTokenCall(RefreshesTokens(configuration));
            }
            catch (InvalidOperationException ex)
            {
                // The binder names the key it could not convert or did not know (a typo); secrets are strings and always convert.
                errors.Add($"{SectionName}:{platform.Key}: {ex.Message}");
                continue;
            }

            errors.AddRange(PlatformOptionsValidator.Validate(platform.Key, options));
        }

        return errors;
    }

    /// <summary>
    /// Whether the fleet refreshes shop tokens: <c>Backfill:SecretKey</c> is set (checked at start). The scheduler then
    /// makes token calls, and every platform's lanes leave a call per window for them.
    /// </summary>
    public static bool RefreshesTokens(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return !string.IsNullOrEmpty(configuration[Core.Secrets.SecretBox.ConfigurationKey]);
    }

    /// <summary>Platform <paramref name="platform"/> as every process of the fleet reads it, the token call's place included.</summary>
    public static PlatformOptions Bind(IConfiguration configuration, IConfigurationSection platform)
    {
        var options = Bind(platform);
        options.RateLimit.ReserveTokenCall(RefreshesTokens(configuration));
        return options;
    }

    /// <summary>The platform names of the section, as configured (their spelling is the named options' name).</summary>
    public static IReadOnlyList<string> Names(IConfiguration configuration) =>
        [.. configuration.GetSection(SectionName).GetChildren().Select(c => c.Key)];

    /// <summary>
    /// One platform's section bound as it is written, without the token call's place; with <paramref name="strict"/> a key
    /// the options do not know is an error.
    /// </summary>
    public static PlatformOptions Bind(IConfiguration platformSection, bool strict = false)
    {
        var options = new PlatformOptions();
        platformSection.Bind(options, o => o.ErrorOnUnknownConfiguration = strict);
        return options;
    }
}
