using Microsoft.Extensions.Options;

namespace Backfill.Platforms.Configuration;

/// <summary>Runs <see cref="PlatformOptionsValidator"/> when named options are first read (and at start with ValidateOnStart).</summary>
internal sealed class PlatformOptionsValidation : IValidateOptions<PlatformOptions>
{
    public ValidateOptionsResult Validate(string? name, PlatformOptions options)
    {
        var errors = PlatformOptionsValidator.Validate(name ?? Options.DefaultName, options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
