using System.Text;
using Backfill.Server.Jobs;

namespace Backfill.Server.Tests.Jobs;

public sealed class ControlBodyReaderTests
{
    [Theory]
    [InlineData("", null)]
    [InlineData("  ", null)]
    [InlineData("{}", null)]
    [InlineData("""{"slice": null}""", null)]
    [InlineData("""{"slice": " j/1/20240501 "}""", "j/1/20240501")]
    [InlineData("""{"SLICE": "j/1/20240501"}""", "j/1/20240501")]
    public void ReadRetry_EmptyOrOneSlice_IsRead(string body, string? slice)
    {
        var reading = ControlBodyReader.ReadRetry(Encoding.UTF8.GetBytes(body));

        Assert.Equal(slice, reading.Value?.Slice);
        Assert.NotNull(reading.Value);
    }

    [Theory]
    [InlineData("""{"slice": 7}""", "slice", "slice must be a slice id")]
    [InlineData("""{"slice": ""}""", "slice", "slice must be a slice id")]
    [InlineData("""{"slices": ["a"]}""", "slices", "'slices' is not a member here; use slice, force.")]
    public void ReadRetry_BadMember_NamesIt(string body, string member, string message)
    {
        var reading = ControlBodyReader.ReadRetry(Encoding.UTF8.GetBytes(body));

        Assert.Null(reading.Value);
        Assert.Contains(message, Assert.Single(reading.Errors[member]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"force": true}""", null, true)]
    [InlineData("""{"force": false, "slice": "j/1/20240501"}""", "j/1/20240501", false)]
    [InlineData("{}", null, false)]
    public void ReadRetry_Force_IsRead(string body, string? slice, bool force)
    {
        var reading = ControlBodyReader.ReadRetry(Encoding.UTF8.GetBytes(body));

        Assert.Equal((slice, force), (reading.Value?.Slice, reading.Value?.Force ?? false));
        Assert.NotNull(reading.Value);
    }

    [Theory]
    [InlineData("""{"force": "yes"}""")]
    [InlineData("""{"force": 1}""")]
    public void ReadRetry_ForceNotABoolean_NamesIt(string body)
    {
        var reading = ControlBodyReader.ReadRetry(Encoding.UTF8.GetBytes(body));

        Assert.Null(reading.Value);
        Assert.StartsWith("force must be true", Assert.Single(reading.Errors["force"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]", "is a JSON array, not an object")]
    [InlineData("{\"slice\":", "is not valid JSON")]
    public void ReadRetry_NotAnObject_IsUnreadable(string body, string message) =>
        Assert.Contains(message, ControlBodyReader.ReadRetry(Encoding.UTF8.GetBytes(body)).Unreadable, StringComparison.Ordinal);

    [Theory]
    [InlineData("""{"releaseEvery": "00:10:00"}""", "00:10:00", null)]
    [InlineData("""{"slicesPerRelease": 2}""", null, 2)]
    [InlineData("""{"releaseEvery": "00:00:00.5", "slicesPerRelease": 3}""", "00:00:00.5000000", 3)]
    [InlineData("""{"releaseEvery": "Auto"}""", "auto", null)]
    [InlineData("""{"priority": "LOW"}""", null, null, "low")]
    public void ReadSettings_GivenMembers_AreRead(string body, string? every, int? perRelease, string? priority = null)
    {
        var reading = ControlBodyReader.ReadSettings(Encoding.UTF8.GetBytes(body));

        Assert.Equal((every, perRelease, priority), (reading.Value?.ReleaseEvery, reading.Value?.SlicesPerRelease, reading.Value?.Priority));
    }

    [Theory]
    [InlineData("{}", "settings", "Give releaseEvery, slicesPerRelease, priority or several")]
    [InlineData("""{"releaseEvery": "5"}""", "releaseEvery", "releaseEvery must be \"auto\" or a positive time span")]
    [InlineData("""{"releaseEvery": "-00:01:00"}""", "releaseEvery", "releaseEvery must be \"auto\" or a positive time span")]
    [InlineData("""{"releaseEvery": 60}""", "releaseEvery", "(got 60)")]
    [InlineData("""{"slicesPerRelease": 0}""", "slicesPerRelease", "at least 1 (got 0)")]
    [InlineData("""{"priority": "urgent"}""", "priority", "priority must be high, normal or low (got \"urgent\")")]
    [InlineData("""{"slicesPerRelease": "2"}""", "slicesPerRelease", "at least 1 (got \"2\")")]
    [InlineData("""{"releaseEvery": "00:01:00", "cadence": 1}""", "cadence", "'cadence' is not a member here; use releaseEvery, slicesPerRelease, priority.")]
    public void ReadSettings_Bad_NamesTheMember(string body, string member, string message)
    {
        var reading = ControlBodyReader.ReadSettings(Encoding.UTF8.GetBytes(body));

        Assert.Null(reading.Value);
        Assert.Contains(message, Assert.Single(reading.Errors[member]), StringComparison.Ordinal);
    }

    [Fact]
    public void ReadSettings_Empty_IsUnreadable() =>
        Assert.Contains("The body is empty", ControlBodyReader.ReadSettings(ReadOnlyMemory<byte>.Empty).Unreadable, StringComparison.Ordinal);
}
