using BenchmarkDotNet.Running;
using Wan.Bench.Batching;
using Wan.Bench.Caching;
using Wan.Bench.GpuCheck;
using Wan.Bench.Profile;
using Wan.Bench.Targets;

if (args.Length > 0 && args[0] == "profile-step")
{
    return ProfileStepCommand.Run(args[1..]);
}
if (args.Length > 0 && args[0] == "step-cache")
{
    return StepCacheTableCommand.Run(args[1..]);
}
if (args.Length > 0 && args[0] == "gpu-check")
{
    return GpuCheckCommand.Run(args[1..]);
}
if (args.Length > 0 && args[0] == "batch-throughput")
{
    return BatchThroughputCommand.Run(args[1..]);
}
if (args.Length > 0 && args[0] == "targets")
{
    return TargetsCommand.Run(args[1..]);
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
