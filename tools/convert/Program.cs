using System.CommandLine;
using Wan.Convert.Cli;

var root = new RootCommand("wan-convert: Wan checkpoints between the original and the diffusers layout, synthetic models, inspection")
{
    ToDiffusersCommand.Create(),
    SynthCommand.Create(),
    InspectCommand.Create(),
    VerifyCommand.Create(),
    DiffCommand.Create(),
};
return root.Parse(args).Invoke();
