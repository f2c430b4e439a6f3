using System.CommandLine;
using Wan.Cli;

var root = new RootCommand("wan: text-to-video with Wan2.2 (diffusers layout), on the CPU reference backend or CUDA");
root.Add(GenerateCommand.Create());
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
