using System.Diagnostics;

namespace Attest.LoadTest;

/// <summary>
/// C workers, each owning every C-th node (so one node never has two attestations in flight, as with a real node),
/// attesting back to back: a warm-up, then the measured window. Stops at the end of the window or at the count cap.
/// </summary>
internal sealed class LoadRunner(SoftwareNode[] nodes, HttpClient verifier, ConcurrentVerdicts verdicts, LoadOptions options)
{
    private int _measuredCount;

    public sealed class WorkerResult
    {
        public List<long> Full { get; } = [];

        public List<long> Evidence { get; } = [];

        public Dictionary<string, int> Results { get; } = [];

        public Dictionary<string, int> Errors { get; } = [];
    }

    /// <param name="onMeasuredStart">Called once when the warm-up ends (to snapshot CPU counters and metrics).</param>
    public async Task<(WorkerResult[] Workers, TimeSpan Elapsed)> RunAsync(Func<Task> onMeasuredStart, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var warmUpEnd = options.WarmUp;
        var end = options.WarmUp + options.Duration;
        var workers = Enumerable.Range(0, options.Concurrency).Select(_ => new WorkerResult()).ToArray();
        var measuredStart = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var snapshot = Task.Run(async () =>
        {
            await Task.Delay(warmUpEnd, ct);
            await onMeasuredStart();
            measuredStart.SetResult(clock.Elapsed);
        }, ct);

        var tasks = Enumerable.Range(0, options.Concurrency).Select(w => Task.Run(async () =>
        {
            var mine = nodes.Where((_, i) => i % options.Concurrency == w).ToArray();
            var result = workers[w];
            for (var turn = 0; clock.Elapsed < end && !ct.IsCancellationRequested; turn++)
            {
                var measured = measuredStart.Task.IsCompleted;
                if (measured && Interlocked.Increment(ref _measuredCount) > options.MaxAttestations)
                {
                    break;
                }

                try
                {
                    var (verdict, full, evidence) = await Fleet.AttestOnceAsync(mine[turn % mine.Length], verifier, ct);
                    verdicts.Add(verdict);
                    if (measured && clock.Elapsed <= end)
                    {
                        result.Full.Add(full);
                        result.Evidence.Add(evidence);
                        result.Results[verdict.Result] = result.Results.GetValueOrDefault(verdict.Result) + 1;
                        foreach (var code in verdict.Failures.Select(f => f.Code).Distinct())
                        {
                            result.Results["fail:" + code] = result.Results.GetValueOrDefault("fail:" + code) + 1;
                        }
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
                {
                    var key = ex is HttpRequestException { StatusCode: { } status } ? "http " + (int)status : ex.GetType().Name;
                    result.Errors[key] = result.Errors.GetValueOrDefault(key) + 1;
                }
            }
        }, ct)).ToArray();

        await Task.WhenAll(tasks);
        var stoppedAt = clock.Elapsed;
        await snapshot;
        var started = await measuredStart.Task;
        // Attestations that finished after the window are not counted; neither is the window's tail they ran in.
        return (workers, (stoppedAt < end ? stoppedAt : end) - started);
    }
}
