using Backfill.Benchmarks;

return await BenchmarkCommandLine.InvokeAsync(args);
