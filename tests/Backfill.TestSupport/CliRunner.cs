using Backfill.Cli;

namespace Backfill.Testing;

/// <summary>Runs <c>backfill …</c> in process with stdout and stderr captured (the assembly runs tests one at a time).</summary>
internal static class CliRunner
{
    public static Task<(int Code, string Out, string Error)> RunAsync(params string[] args) => RunWithInputAsync("", args);

    /// <summary>As <see cref="RunAsync"/>, with <paramref name="input"/> on stdin.</summary>
    public static async Task<(int Code, string Out, string Error)> RunWithInputAsync(string input, params string[] args)
    {
        var (stdin, stdout, stderr) = (Console.In, Console.Out, Console.Error);
        using var reader = new StringReader(input);
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetIn(reader);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var code = await BackfillCommandLine.InvokeAsync(args);
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetIn(stdin);
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }

    /// <summary>A loopback URL where nothing listens: a port that was free a moment ago.</summary>
    public static string Unreachable()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }

    public static string LastLine(string text) => text.TrimEnd().Split('\n')[^1].TrimEnd('\r');
}
