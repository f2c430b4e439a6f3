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
using Wan.Server.Telemetry;

namespace Wan.Server;

/// <summary>
/// Builds the <c>wan serve</c> web application: a warm <see cref="WanEngine"/> behind a bounded priority
/// queue (<see cref="LocalJobDispatcher"/>), the SQLite job store and result folder under
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
        builder.Services.AddSingleton(new ResultFolder(Path.Combine(data, "results")));
        builder.Services.AddSingleton(_ => WanEngine.Open(options.ModelDirectory, new EngineOptions { Device = options.Device, Precision = options.Precision }));
        builder.Services.AddSingleton(sp => new ServerModel(identity, geometry, sp.GetRequiredService<WanEngine>().DescribePlacement()));
        builder.Services.AddSingleton(sp => new CreativeService(options.Creative, sp.GetRequiredService<ILogger<CreativeService>>()));
        builder.Services.AddSingleton(sp => sp.GetRequiredService<CreativeService>().Finisher);
        builder.Services.AddSingleton<IJobRunner>(sp => new EngineJobRunner(sp.GetRequiredService<WanEngine>(), sp.GetRequiredService<VideoFinisher>()));
        builder.Services.AddSingleton<JobExecutor>();
        builder.Services.AddSingleton(sp => new JobRecovery(sp.GetRequiredService<IJobStore>(), sp.GetRequiredService<JobEventHub>(),
            sp.GetRequiredService<ResultFolder>(), options.InterruptedJobs, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new LocalJobDispatcher(options.QueueCapacity, sp.GetRequiredService<JobExecutor>(),
            sp.GetRequiredService<JobRecovery>(), sp.GetRequiredService<ServerMetrics>()));
        builder.Services.AddSingleton<IJobDispatcher>(sp => sp.GetRequiredService<LocalJobDispatcher>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LocalJobDispatcher>());
        services?.Invoke(builder.Services);

        var app = builder.Build();
        // The creative settings (block lists, templates, classifier, assets folder), then the engine, load now: a bad
        // setting, model or device stops the start with its own message, the cheap checks first.
        try
        {
            app.Services.GetRequiredService<CreativeService>();
            app.Services.GetRequiredService<ServerModel>();
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
        ListingEndpoints.Map(app);
        return app;
    }
}
