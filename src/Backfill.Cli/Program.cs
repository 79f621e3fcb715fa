using Backfill.Cli;

return await BackfillCommandLine.InvokeAsync(args);
