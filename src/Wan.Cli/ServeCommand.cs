using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Wan.Runtime.Engine;
using Wan.Server;
using Wan.Server.Jobs;

namespace Wan.Cli;

/// <summary><c>wan serve</c>: the HTTP API (src/Wan.Server) on a warm engine.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "model directory in the diffusers layout", Required = true };
        var urls = new Option<string>("--urls") { Description = "listening addresses, ASP.NET style (';'-separated)", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var data = new Option<DirectoryInfo>("--data") { Description = "folder of the job database and the videos", DefaultValueFactory = _ => new DirectoryInfo("wan-data") };
        var device = new Option<string>("--device") { Description = "auto | cpu | cuda | cuda-emulated", DefaultValueFactory = _ => "auto" };
        device.AcceptOnlyFromAmong([.. EngineNames.Devices]);
        var precision = new Option<string>("--precision") { Description = "storage type of the DiT on CUDA: bf16 | fp16 | fp32", DefaultValueFactory = _ => "bf16" };
        precision.AcceptOnlyFromAmong([.. EngineNames.Precisions]);
        var capacity = new Option<int?>("--queue-capacity") { Description = "most videos waiting; more get 429 (default 64, or Wan:QueueCapacity)" };
        var interrupted = new Option<string?>("--interrupted") { Description = "jobs a previous process left running: fail (default) | requeue" };
        interrupted.AcceptOnlyFromAmong("fail", "requeue");
        var dispatch = new Option<string?>("--dispatch") { Description = "local: run jobs on this process's engine (default); rabbitmq: publish them to wan-worker processes (broker: Wan:BrokerUri)" };
        dispatch.AcceptOnlyFromAmong("local", "rabbitmq");
        var styles = new Option<DirectoryInfo?>("--styles") { Description = "style library requests' \"style\" names (default: none, or Wan:StylesDirectory)" };
        var loras = new Option<DirectoryInfo?>("--lora-dir") { Description = "folder of the LoRA files requests' \"loras\" name (default: none, or Wan:LoraDirectory)" };

        var command = new Command("serve", "serve the HTTP API (POST /v1/videos, ...) on a warm engine; other ASP.NET settings pass through, e.g. --Wan:ApiKeys:0=KEY")
        {
            model, urls, data, device, precision, capacity, interrupted, dispatch, styles, loras,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellation) =>
        {
            try
            {
                ServeArguments.Check(parse.UnmatchedTokens, GenerateCommand.Create().Options.Select(o => o.Name));
                string[] args = [.. parse.UnmatchedTokens, "--urls", parse.GetValue(urls)!];
                await using var app = WanServer.Build(args, o =>
                {
                    o.ModelDirectory = parse.GetValue(model)!.FullName;
                    o.DataDirectory = parse.GetValue(data)!.FullName;
                    o.Device = EngineNames.ParseDevice(parse.GetValue(device)!);
                    o.Precision = EngineNames.ParsePrecision(parse.GetValue(precision)!);
                    o.QueueCapacity = parse.GetValue(capacity) ?? o.QueueCapacity;
                    if (parse.GetValue(dispatch) is { } where)
                    {
                        o.Dispatch = where == "rabbitmq" ? JobDispatch.RabbitMq : JobDispatch.Local;
                    }
                    o.StylesDirectory = parse.GetValue(styles)?.FullName ?? o.StylesDirectory;
                    o.LoraDirectory = parse.GetValue(loras)?.FullName ?? o.LoraDirectory;
                    if (parse.GetValue(interrupted) is { } policy)
                    {
                        o.InterruptedJobs = policy == "requeue" ? InterruptedJobPolicy.Requeue : InterruptedJobPolicy.Fail;
                    }
                });
                await app.StartAsync(cancellation);
                Console.WriteLine($"wan serve: listening on {string.Join(", ", app.Urls)}");
                await app.WaitForShutdownAsync(cancellation);
                return 0;
            }
            catch (OperationCanceledException)
            {
                return 0;
            }
            catch (Wan.Errors.RequestException e)
            {
                Console.Error.WriteLine($"wan: {e.Format("--")}");
                return 2;
            }
            catch (InvalidOperationException e) when (ServeArguments.BadValue(e) is { } line)
            {
                Console.Error.WriteLine($"wan: {line}");
                return 2;
            }
            catch (Exception e) when (e is Wan.Errors.WanException or ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException
                                          or NotSupportedException or DllNotFoundException
                                          or Wan.Kernels.Interop.NativeCallException or Microsoft.Data.Sqlite.SqliteException
                                          or RabbitMQ.Client.Exceptions.BrokerUnreachableException)
            {
                Console.Error.WriteLine($"wan: {e.Message}");
                return 2;
            }
        });
        return command;
    }
}
