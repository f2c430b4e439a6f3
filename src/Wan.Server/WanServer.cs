using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Wan.Runtime.Config;
using Wan.Runtime.Engine;
using Wan.Server.Api;
using Wan.Server.Caching;
using Wan.Server.Creative;
using Wan.Server.Jobs;
using Wan.Server.Jobs.Broker;
using Wan.Server.Styles;
using Wan.Server.Telemetry;

namespace Wan.Server;

/// <summary>
/// Builds the <c>wan serve</c> web application: a warm <see cref="WanEngine"/> behind a bounded priority
/// queue (<see cref="LocalJobDispatcher"/>), or with <see cref="JobDispatch.RabbitMq"/> no engine and the wan-worker
/// processes behind a broker (<see cref="BrokerJobDispatcher"/>), the SQLite job store and result folder under
/// <see cref="ServerOptions.DataDirectory"/>, the result cache, the <c>/v1/videos</c> API with RFC 7807
/// problems, SSE progress, <c>/healthz</c>, Prometheus <c>/metrics</c> and the OpenAPI document at
/// <c>/openapi/v1.json</c>. The listening address follows ASP.NET Core (<c>--urls</c>, <c>ASPNETCORE_URLS</c>).
/// </summary>
public static class WanServer
{
    /// <summary>
    /// Opens the engine on the model (so a bad model fails here, before anything listens), recovers the
    /// previous run's jobs when started, and returns the application to run.
    /// </summary>
    /// <param name="args">ASP.NET Core arguments (<c>--urls</c>, <c>--Wan:QueueCapacity=8</c>, ...).</param>
    /// <param name="configure">overrides applied to the options after the configuration (the <c>wan serve</c> options), or null.</param>
    /// <param name="services">extra service registrations after the defaults (e.g. a different <see cref="IJobRunner"/>), or null.</param>
    /// <exception cref="ArgumentException">a setting is invalid (named).</exception>
    /// <exception cref="DirectoryNotFoundException">the model folder is missing.</exception>
    /// <exception cref="Exception">whatever <see cref="WanEngine.Open"/> throws for a bad model or device.</exception>
    public static WebApplication Build(string[] args, Action<ServerOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        var options = new ServerOptions();
        builder.Configuration.GetSection("Wan").Bind(options);
        configure?.Invoke(options);
        options.Validate();
        var data = Directory.CreateDirectory(options.DataDirectory).FullName;
        var identity = ModelIdentity.Compute(options.ModelDirectory);
        var geometry = ModelGeometry.Load(options.ModelDirectory);

        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxRequestBytes);
        builder.Services.ConfigureHttpJsonOptions(o => ServerJson.Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(ServerMetrics.MeterName).AddPrometheusExporter());

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ServerMetrics>();
        builder.Services.AddSingleton<JobEventHub>();
        builder.Services.AddSingleton<IJobStore>(new SqliteJobStore(Path.Combine(data, "jobs.db")));
        builder.Services.AddSingleton<FileHashes>();
        builder.Services.AddSingleton(sp => new ServerStyles(options.StylesDirectory, options.LoraDirectory, sp.GetRequiredService<FileHashes>()));
        builder.Services.AddSingleton(new ResultFolder(Path.Combine(data, "results")));
        builder.Services.AddSingleton(sp => new CreativeService(options.Creative, sp.GetRequiredService<ILogger<CreativeService>>()));
        builder.Services.AddSingleton(sp => sp.GetRequiredService<CreativeService>().Finisher);
        if (options.Dispatch == JobDispatch.RabbitMq)
        {
            AddBrokerDispatch(builder.Services, options, identity, geometry);
        }
        else
        {
            AddLocalEngine(builder.Services, options, identity, geometry);
        }
        services?.Invoke(builder.Services);

        var app = builder.Build();
        // The creative settings (block lists, templates, classifier, assets folder), the engine and the styles load now: a
        // bad setting, model or device stops the start with its own message, the cheap checks first.
        try
        {
            app.Services.GetRequiredService<CreativeService>();
            app.Services.GetRequiredService<ServerModel>();
            app.Services.GetRequiredService<ServerStyles>();
        }
        catch
        {
            ((IDisposable)app).Dispose();
            throw;
        }
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        WebPage.Use(app);
        app.UseMiddleware<ApiKeyMiddleware>();
        app.MapOpenApi();
        app.MapPrometheusScrapingEndpoint("/metrics");
        VideoEndpoints.Map(app);
        StyleEndpoints.Map(app);
        ListingEndpoints.Map(app);
        return app;
    }

    // The warm engine in this process behind the bounded priority queue.
    private static void AddLocalEngine(IServiceCollection services, ServerOptions options, string identity, ModelGeometry geometry)
    {
        services.AddSingleton(_ => WanEngine.Open(options.ModelDirectory, new EngineOptions
        {
            Device = options.Device, Precision = options.Precision,
            TextEncoderDevice = options.TextEncoderDevice, DitDevice = options.DitDevice, VaeDevice = options.VaeDevice,
        }));
        services.AddSingleton(sp =>
        {
            var engine = sp.GetRequiredService<WanEngine>();
            sp.GetRequiredService<ServerMetrics>().ObserveDeviceMemory(() => engine.DeviceBytesAllocated, engine.MemoryDevice);
            return new ServerModel(identity, geometry, engine.DescribePlacement());
        });
        services.AddSingleton<IJobRunner>(sp => new EngineJobRunner(sp.GetRequiredService<WanEngine>(), sp.GetRequiredService<VideoFinisher>()));
        services.AddSingleton<JobExecutor>();
        services.AddSingleton(sp => new JobRecovery(sp.GetRequiredService<IJobStore>(), sp.GetRequiredService<JobEventHub>(),
            sp.GetRequiredService<ResultFolder>(), options.InterruptedJobs, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new LocalJobDispatcher(options.QueueCapacity, sp.GetRequiredService<JobExecutor>(),
            sp.GetRequiredService<JobRecovery>(), sp.GetRequiredService<ServerMetrics>()));
        services.AddSingleton<IJobDispatcher>(sp => sp.GetRequiredService<LocalJobDispatcher>());
        services.AddHostedService(sp => sp.GetRequiredService<LocalJobDispatcher>());
    }

    // No engine here: jobs go to the wan-worker processes through the broker; they share this node's store and results folder.
    private static void AddBrokerDispatch(IServiceCollection services, ServerOptions options, string identity, ModelGeometry geometry)
    {
        var broker = new Uri(options.BrokerUri!);
        var topology = new QueueTopology(options.BrokerQueue, options.BrokerExchange);
        services.AddSingleton(new ServerModel(identity, geometry, $"wan-worker processes via {broker.Host}:{broker.Port} queue {topology.Queue}"));
        services.AddSingleton(sp => new BrokerJobDispatcher(broker, topology, options.QueueCapacity, sp.GetRequiredService<IJobStore>(),
            sp.GetRequiredService<JobEventHub>(), sp.GetRequiredService<ServerMetrics>()));
        services.AddSingleton<IJobDispatcher>(sp => sp.GetRequiredService<BrokerJobDispatcher>());
        services.AddHostedService(sp => sp.GetRequiredService<BrokerJobDispatcher>());
    }
}