using Wan.Runtime.Engine;
using Wan.Server.Caching;
using Wan.Server.Creative;
using Wan.Server.Jobs;
using Wan.Server.Jobs.Broker;
using Wan.Worker;

// wan-worker --broker amqp://USER:PASS@HOST:PORT/ --model DIR --store FILE --results DIR
//   --store: the job store shared with the API nodes (wan serve's DATA/jobs.db); --results: its DATA/results
//            [--queue wan.jobs] [--exchange wan.progress] [--worker-id ID] [--device auto|cpu|cuda|cuda-emulated] [--precision bf16|fp16|fp32]
//            [--assets DIR]: the API node's Wan:Creative:AssetsDirectory, where jobs' logo/subtitle/audio names are resolved
// One worker per GPU: start each with its own CUDA_VISIBLE_DEVICES.
var options = new Dictionary<string, string>(StringComparer.Ordinal);
string[] known = ["--broker", "--model", "--store", "--results", "--queue", "--exchange", "--worker-id", "--device", "--precision", "--assets"];
for (int i = 0; i < args.Length; i++)
{
    if (!known.Contains(args[i]) || i + 1 == args.Length)
    {
        return Fail(known.Contains(args[i]) ? $"{args[i]} needs a value" : $"unknown argument '{args[i]}' (expected {string.Join(", ", known)})");
    }
    options[args[i]] = args[++i];
}
foreach (var required in new[] { "--broker", "--model", "--store", "--results" })
{
    if (!options.ContainsKey(required))
    {
        return Fail($"{required} is required");
    }
}
if (!Uri.TryCreate(options["--broker"], UriKind.Absolute, out var broker) || broker.Scheme is not ("amqp" or "amqps"))
{
    return Fail($"--broker {options["--broker"]}: not an amqp:// URI");
}
if (!Directory.Exists(options["--results"]))
{
    return Fail($"--results {options["--results"]}: directory not found");
}
var workerId = options.GetValueOrDefault("--worker-id") ?? $"{Environment.MachineName}-{Environment.ProcessId}";
var topology = new QueueTopology(options.GetValueOrDefault("--queue") ?? "wan.jobs", options.GetValueOrDefault("--exchange") ?? "wan.progress");

using var stop = new CancellationTokenSource();
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
{
    c.Cancel = true;
    stop.Cancel();
});
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
try
{
    var device = EngineNames.ParseDevice(options.GetValueOrDefault("--device") ?? "auto");
    var precision = EngineNames.ParsePrecision(options.GetValueOrDefault("--precision") ?? "bf16");
    using var engine = WanEngine.Open(options["--model"], new EngineOptions { Device = device, Precision = precision });
    Console.WriteLine($"worker {workerId}: {engine.DescribePlacement()}");
    var store = new SqliteJobStore(options["--store"]);
    // MP4s get the job's post-processing and AI label, as on an API node's own engine.
    var runner = new EngineJobRunner(engine, new VideoFinisher(new AssetFolder(options.GetValueOrDefault("--assets")), classifier: null));
    await new JobWorker(runner, store, new ResultFolder(options["--results"]), ModelIdentity.Compute(options["--model"]), workerId, topology, Console.Out)
        .RunAsync(broker, stop.Token);
    return 0;
}
catch (Exception e) when (e is Wan.Errors.WanException or ArgumentException or IOException or InvalidDataException or NotSupportedException
    or RabbitMQ.Client.Exceptions.BrokerUnreachableException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
{
    return Fail(e.Message);
}

static int Fail(string message)
{
    Console.Error.WriteLine($"wan-worker: {message}");
    return 2;
}
