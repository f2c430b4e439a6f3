using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Wan.Server.Caching;
using Wan.Server.Creative;
using Wan.Server.Jobs;
using Wan.Server.Styles;
using Wan.Server.Telemetry;

namespace Wan.Server.Api;

/// <summary>The <c>/v1/videos</c> endpoints and <c>/healthz</c>.</summary>
public static class VideoEndpoints
{
    // One submission at a time decides "queue full or not", saves and enqueues, so a job is never
    // saved as queued without a place in the queue.
    private static readonly Lock SubmitLock = new();

    /// <summary>Maps the endpoints on <paramref name="app"/>.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        var videos = app.MapGroup("/v1/videos").WithTags("videos");
        videos.MapPost("", Submit).WithName("CreateVideo").Accepts<VideoRequestBody>("application/json")
            .Produces<VideoCreatedBody>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        videos.MapGet("/{id}", Status).WithName("GetVideo").Produces<VideoStatusBody>().ProducesProblem(StatusCodes.Status404NotFound);
        videos.MapGet("/{id}/events", Events).WithName("GetVideoEvents").Produces(StatusCodes.Status200OK, contentType: "text/event-stream").ProducesProblem(StatusCodes.Status404NotFound);
        videos.MapGet("/{id}/content", Content).WithName("GetVideoContent")
            .Produces(StatusCodes.Status200OK, contentType: "video/mp4").Produces(StatusCodes.Status206PartialContent)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        videos.MapDelete("/{id}", Cancel).WithName("CancelVideo").Produces<VideoStatusBody>().Produces<VideoStatusBody>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        app.MapGet("/healthz", (IJobDispatcher dispatcher, ServerModel model) =>
            TypedResults.Ok(new HealthBody("ok", dispatcher.QueueDepth, dispatcher.ActiveJobs, model.Placement))).WithName("Health");
    }

    private static async Task<IResult> Submit(HttpContext context, IJobStore store, IJobDispatcher dispatcher, JobEventHub events,
        ServerOptions options, ServerModel model, ServerMetrics metrics, TimeProvider time, ServerStyles styles, CreativeService creative)
    {
        if (context.Request.ContentLength > options.MaxRequestBytes)
        {
            return TooLarge(options);
        }
        VideoRequestBody? body;
        try
        {
            body = await context.Request.ReadFromJsonAsync<VideoRequestBody>(ServerJson.Options, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "invalid JSON", e.Message);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(options);
        }
        if (body is null)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "invalid request", "the body must be a JSON object");
        }
        VideoSpec spec;
        int priority;
        try
        {
            // The template first (it may pin a style), then the style, as wan generate does.
            var creativeSpec = await creative.PrepareAsync(body, context.RequestAborted).ConfigureAwait(false);
            (spec, priority) = RequestValidator.Validate(body, options, model.Geometry, styles);
            spec = spec with { Creative = creativeSpec };
        }
        catch (RequestRejectedException e)
        {
            return Problems.Of(e.Status, e.Title, e.Message);
        }
        var key = ResultCacheKey.Compute(model.Identity, spec);
        var now = time.GetUtcNow();
        if (store.FindSucceeded(key) is { ResultPath: { } path } && File.Exists(path))
        {
            var cached = VideoJob.Create(spec, priority, key, now) with
            {
                State = JobState.Succeeded, Cached = true, Progress = 1, ResultPath = path, StartedAt = now, FinishedAt = now,
            };
            store.Save(cached);
            metrics.RecordFinished(cached.State);
            return Created(cached);
        }
        var job = VideoJob.Create(spec, priority, key, now);
        lock (SubmitLock)
        {
            // An identical request already queued or running: attach to it (same id) instead of running it twice.
            if (store.FindInFlight(key) is { } inFlight)
            {
                return TypedResults.Accepted($"/v1/videos/{inFlight.Id}", new VideoCreatedBody(inFlight.Id, inFlight.State.WireName(), false, Attached: true));
            }
            if (dispatcher.QueueDepth >= dispatcher.Capacity)
            {
                return QueueFull(context, dispatcher);
            }
            store.Save(job);
            events.Open(job.Id, new JobEvent(JobEventKinds.Queued, 0));
            bool enqueued;
            try
            {
                enqueued = dispatcher.TryEnqueue(job);
            }
            catch (JobDispatchException e)
            {
                var lost = job with { State = JobState.Failed, Error = e.Message, FinishedAt = now };
                store.Save(lost);
                events.Publish(job.Id, JobEventKinds.Terminal(lost)!);
                return Problems.Of(StatusCodes.Status503ServiceUnavailable, "cannot queue", e.Message);
            }
            if (!enqueued)
            {
                var refused = job with { State = JobState.Failed, Error = "the queue was full", FinishedAt = now };
                store.Save(refused);
                events.Publish(job.Id, JobEventKinds.Terminal(refused)!);
                return QueueFull(context, dispatcher);
            }
        }
        return Created(job);
    }

    private static IResult Status(string id, IJobStore store, JobEventHub events) =>
        store.Find(id) is { } job ? TypedResults.Ok(VideoStatusBody.From(job, events.LatestProgress(id))) : Problems.NotFound(id);

    private static IResult Events(string id, IJobStore store, JobEventHub events, CancellationToken cancellation)
    {
        if (events.Subscribe(id) is { } subscription)
        {
            return TypedResults.ServerSentEvents(Live(subscription, cancellation));
        }
        if (store.Find(id) is not { } job)
        {
            return Problems.NotFound(id);
        }
        // Not live: finished (its terminal event) or, in a scale-out store, held by another node (its state).
        var last = JobEventKinds.Terminal(job) ?? new JobEvent(job.State.WireName(), job.Progress);
        return TypedResults.ServerSentEvents(new[] { Item(last) }.ToAsyncEnumerable());
    }

    private static IResult Content(string id, IJobStore store)
    {
        if (store.Find(id) is not { } job)
        {
            return Problems.NotFound(id);
        }
        if (job.State != JobState.Succeeded || job.ResultPath is null)
        {
            return Problems.Conflict($"video {id} is {job.State.WireName()}; its content exists once it has succeeded");
        }
        if (!File.Exists(job.ResultPath))
        {
            return Problems.Of(StatusCodes.Status404NotFound, "video file missing", $"video {id} succeeded but its file {Path.GetFileName(job.ResultPath)} is no longer in the store");
        }
        return TypedResults.PhysicalFile(job.ResultPath, VideoFormats.ContentType(job.Spec.Format), $"{id}.{job.Spec.Format}", enableRangeProcessing: true);
    }

    private static IResult Cancel(string id, IJobStore store, IJobDispatcher dispatcher, JobEventHub events, TimeProvider time)
    {
        if (store.Find(id) is not { } job)
        {
            return Problems.NotFound(id);
        }
        if (job.State.IsTerminal())
        {
            return Problems.Conflict($"video {id} has already {(job.State == JobState.Succeeded ? "succeeded" : "ended: " + job.State.WireName())}; nothing to cancel");
        }
        switch (dispatcher.Cancel(id))
        {
            case CancelOutcome.RemovedFromQueue:
                var cancelled = job with { State = JobState.Cancelled, FinishedAt = time.GetUtcNow() };
                store.Save(cancelled);
                events.Publish(id, JobEventKinds.Terminal(cancelled)!);
                return TypedResults.Ok(VideoStatusBody.From(cancelled, null));
            case CancelOutcome.StopRequested:
                return TypedResults.Accepted($"/v1/videos/{id}", VideoStatusBody.From(store.Find(id) ?? job, events.LatestProgress(id)));
            default:
                // It ended between the read and the cancel.
                var now = store.Find(id) ?? job;
                return Problems.Conflict($"video {id} has already ended: {now.State.WireName()}; nothing to cancel");
        }
    }

    private static IResult Created(VideoJob job) =>
        TypedResults.Accepted($"/v1/videos/{job.Id}", new VideoCreatedBody(job.Id, job.State.WireName(), job.Cached));

    private static IResult TooLarge(ServerOptions options) =>
        Problems.Of(StatusCodes.Status413PayloadTooLarge, "request too large", $"the request body is over {options.MaxRequestBytes:N0} bytes");

    private static IResult QueueFull(HttpContext context, IJobDispatcher dispatcher)
    {
        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(dispatcher.EstimatedWait().TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.Of(StatusCodes.Status429TooManyRequests, "queue full", $"{dispatcher.QueueDepth} videos are waiting (capacity {dispatcher.Capacity}); retry later");
    }

    private static async IAsyncEnumerable<SseItem<string>> Live(JobSubscription subscription, [EnumeratorCancellation] CancellationToken cancellation)
    {
        using (subscription)
        {
            foreach (var e in subscription.History)
            {
                yield return Item(e);
            }
            await foreach (var e in subscription.Live.ReadAllAsync(cancellation).ConfigureAwait(false))
            {
                yield return Item(e);
            }
        }
    }

    private static SseItem<string> Item(JobEvent e) => new(JsonSerializer.Serialize(e, ServerJson.Options), e.Kind);
}

/// <summary>The JSON of <c>GET /healthz</c>.</summary>
/// <param name="Status">"ok" while the server runs.</param>
/// <param name="QueueDepth">jobs waiting.</param>
/// <param name="ActiveJobs">jobs on the engine.</param>
/// <param name="Placement">where the engine runs each component.</param>
public sealed record HealthBody(string Status, int QueueDepth, int ActiveJobs, string Placement);

/// <summary>What the server knows of its model: the cache identity, the geometry requests are checked against, the engine's placement line.</summary>
/// <param name="Identity">the model folder's <see cref="ModelIdentity"/>.</param>
/// <param name="Geometry">strides, patch and RoPE limits from the model's configs.</param>
/// <param name="Placement">the engine's <c>DescribePlacement()</c>.</param>
public sealed record ServerModel(string Identity, Wan.Runtime.Config.ModelGeometry Geometry, string Placement);
