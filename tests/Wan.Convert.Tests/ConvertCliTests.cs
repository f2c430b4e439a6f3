using System.Diagnostics;
using Wan.Testing;

namespace Wan.Convert.Tests;

/// <summary>`wan-convert` as a user runs it: values are literal (no '@' response files) and every error is one stderr line, exit code 2.</summary>
public class ConvertCliTests
{
    private static (int Code, string StdOut, string StdErr) Run(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "wan-convert.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill(true);
            Assert.Fail($"wan-convert {string.Join(' ', args)} did not finish in 2 minutes");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Test]
    public void AnUnusableLoraIsOneStderrLineWithExitCode2()
    {
        using var tmp = new TempDirectory();
        var path = tmp.Combine("mixed.safetensors");
        (string Name, int Rows, int Cols)[] tensors =
        [
            ("transformer.blocks.0.attn1.to_q.lora_A.weight", 4, 8), ("transformer.blocks.0.attn1.to_q.lora_B.weight", 8, 4),
            ("diffusion_model.blocks.0.self_attn.k.lora_A.weight", 4, 8), ("diffusion_model.blocks.0.self_attn.k.lora_B.weight", 8, 4),
        ];
        using (var w = new Wan.Runtime.Weights.SafetensorsWriter(path, [.. tensors.Select(t => (t.Name, Wan.Runtime.Tensors.DType.F32, new Wan.Runtime.Tensors.Shape(t.Rows, t.Cols)))]))
        {
            foreach (var t in tensors)
            {
                w.WriteTensor(t.Name, Enumerable.Range(1, 32).Select(i => 0.01f * i).ToArray().AsSpan());
            }
            w.Commit();
        }

        var (code, stdout, stderr) = Run(tmp.Path, "inspect", path);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.StartWith($"wan-convert: {path}: ").And.Contain("keys of several formats"));
    }

    [Test]
    public void RedirectedOutputIsNotWrappedAt80Columns()
    {
        using var tmp = new TempDirectory();
        var model = tmp.Combine("a_model_folder_whose_name_alone_is_longer_than_eighty_columns_of_a_terminal_window_by_far");
        Wan.Convert.Synth.Synthesizer.Write("tiny", model, new Wan.Convert.Synth.SynthOptions());

        var (code, stdout, stderr) = Run(tmp.Path, "inspect", model);

        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout.Split('\n')[0], Does.StartWith(model + " (").And.EndWith(" layout)"), stdout);
    }

    [Test]
    public void PathBeginningWithAtIsAPathNotAResponseFile()
    {
        using var tmp = new TempDirectory();
        // A file 'model' that, expanded as a response file, would turn '@model' into an existing folder to inspect.
        var real = Directory.CreateDirectory(tmp.Combine("real")).FullName;
        File.WriteAllText(tmp.Combine("model"), real);

        var (code, _, stderr) = Run(tmp.Path, "inspect", "@model");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.StartWith("wan-convert: ").And.Contain("@model"));
    }

    [Test]
    public void BadArgumentsAreOneLineWithExitCodeTwo()
    {
        using var tmp = new TempDirectory();
        var (code, stdout, stderr) = Run(tmp.Path, "synth", tmp.Combine("out"), "--preset", "tiny", "--max-shard-size", "lots");
        Assert.That(code, Is.EqualTo(2), stdout);
        Assert.That(stderr.Trim(), Is.EqualTo("wan-convert: --max-shard-size 'lots': is not a size like 5GB, 500MB or a byte count"));
        Assert.That(Directory.Exists(tmp.Combine("out")), Is.False);

        (code, _, stderr) = Run(tmp.Path, "to-diffusers", "", tmp.Combine("out"));
        Assert.That((code, stderr.Trim()), Is.EqualTo((2, "wan-convert: SRC is empty: give a path (see 'wan-convert --help')")));

        (code, stdout, stderr) = Run(tmp.Path, "synth", tmp.Combine("out"), "--no-such-option");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), stderr);
        Assert.That(stdout, Is.Empty, "no help text dumped on a bad argument");
    }

    /// <summary>A value outside an option's list is refused while parsing, naming the option (System.CommandLine alone does not).</summary>
    [TestCase("synth", "--dtype", "fp64", "'fp32' 'bf16' 'fp16' 'fp8'")]
    [TestCase("synth", "--preset", "huge", "'tiny'")]
    [TestCase("to-diffusers", "--fp8-scale", "row", "'tensor' 'channel'")]
    public void AValueOutsideTheListNamesItsOption(string command, string option, string value, string allowed)
    {
        using var tmp = new TempDirectory();
        string[] args = command == "synth"
            ? [command, tmp.Combine("out"), "--preset", option == "--preset" ? value : "tiny", .. option == "--preset" ? Array.Empty<string>() : [option, value]]
            : [command, tmp.Path, tmp.Combine("out"), option, value];
        var (code, stdout, stderr) = Run(tmp.Path, args);
        Assert.That(code, Is.EqualTo(2), stdout);
        Assert.That(stderr.Trim(), Does.StartWith($"wan-convert: {option}: Argument '{value}' not recognized. Must be one of: ").And.Contain(allowed));
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(Directory.Exists(tmp.Combine("out")), Is.False);
    }
}
