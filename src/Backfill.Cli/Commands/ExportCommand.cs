using System.CommandLine;
using Backfill.Cli.Remote;
using Backfill.Core.Data;
using Backfill.Scheduling;
using Backfill.Storage;
using Backfill.Storage.Records;
using Microsoft.Extensions.Configuration;

namespace Backfill.Cli.Commands;

/// <summary>
/// <c>backfill export JOB --data D</c>: a job's records of one dataset as JSON Lines, through the running scheduler's API
/// when one answers, else straight from <c>Backfill:DataDirectory</c>'s database when no process holds it (after
/// <c>run</c> or <c>demo</c>). Streamed either way: memory stays flat however many records there are.
/// </summary>
internal static class ExportCommand
{
    /// <summary>How long the scheduler may take to start answering (it reads the job's records in id order first).</summary>
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromMinutes(5);

    public static Command Create(IReadOnlyDictionary<string, string?> overrides)
    {
        var job = ControlOptions.Job();
        var data = new Option<string>("--data") { Description = "The dataset to export: orders, finance or returns (one the job pulled).", Required = true };
        data.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && DatasetNames.TryParseOne(r.Tokens[0].Value) is null)
            {
                r.AddError($"--data '{r.Tokens[0].Value}' is not one dataset; export one of {string.Join(", ", DatasetNames.All.Select(DatasetNames.Name))}.");
            }
        });
        var output = new Option<string>("--out") { Description = "The file to write (default stdout); written only once the export starts." };
        var server = CommonOptions.Server();
        var token = ControlOptions.Token();
        var command = new Command("export", "Write a job's records of one dataset as JSON Lines: one platform record per line, as stored, with _platform, _shop and _dataset members. Through the running scheduler ('backfill serve', with the API token) when it answers at --server (default Backfill:ServerUrl), else from Backfill:DataDirectory when no process holds its database (after 'run' or 'demo').\n\nExamples:\n  backfill export demo-20240501-20240508-a1b2c3 --data orders --out orders.ndjson\n  backfill export nightly-10001-20240502 --data finance --server http://scheduler.internal:5080 > finance.ndjson")
        {
            job, data, output, server, token,
        };
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CliConfiguration.Build(overrides);
            var id = parse.GetValue(job)!;
            var dataset = DatasetNames.TryParseOne(parse.GetValue(data))!.Value;
            var path = parse.GetValue(output);
            var url = CommonOptions.ServerUrl(parse.GetValue(server), configuration);
            using var client = new SchedulerClient(url, AnswerWithin) { Token = parse.GetValue(token) ?? configuration["Backfill:ApiToken"] };
            var lines = await client.ExportAsync(id, DatasetNames.Name(dataset), () => Open(path), ct);
            var from = url.ToString().TrimEnd('/');
            if (lines is null)
            {
                var database = (configuration.GetSection("Backfill").Get<BackfillOptions>() ?? new BackfillOptions()).DatabasePath;
                lines = await OfflineAsync(database, url, id, dataset, path, ct);
                from = Path.GetFullPath(database);
            }

            Console.Error.WriteLine($"{lines} {DatasetNames.Name(dataset)} record(s) of job {id} exported from {from}{(path is null ? "" : $" to {path}")}.");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <exception cref="OperationFailedException">No scheduler answers and the database is held by another process or absent.</exception>
    private static async Task<long> OfflineAsync(string database, Uri server, string id, Datasets dataset, string? path, CancellationToken cancellationToken)
    {
        var unreachable = $"no scheduler answers at {server.ToString().TrimEnd('/')}";
        if (!File.Exists(database))
        {
            throw new OperationFailedException($"{unreachable}, and there is no database at {Path.GetFullPath(database)} (Backfill:DataDirectory); start 'backfill serve' or point --server or Backfill:DataDirectory at the data.");
        }

        if (BackfillDatabase.IsHeld(database))
        {
            throw new OperationFailedException($"{unreachable}, and {Path.GetFullPath(database)} is held by another process (a scheduler at another address?); export through that scheduler with --server.");
        }

        using var db = new BackfillDatabase(database);
        var job = new JobStore(db).Job(id) ?? throw new UsageException($"No job '{id}' in {Path.GetFullPath(database)}.");
        if (!job.Data.HasFlag(dataset))
        {
            throw new UsageException($"Job {job.Id} did not pull {DatasetNames.Name(dataset)}; it pulled {DatasetNames.Format(job.Data)}.");
        }

        await using var output = Open(path);
        return await RecordExport.WriteAsync(new RecordStore(db).OfJob(dataset, job.Id), dataset, output, cancellationToken);
    }

    private static Stream Open(string? path) =>
        path is null ? Console.OpenStandardOutput() : new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
}
