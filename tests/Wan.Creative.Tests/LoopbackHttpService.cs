using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Wan.Creative.Tests;

/// <summary>A loopback HttpListener the tests start, answering every request through a callback; records the request bodies.</summary>
internal sealed class LoopbackHttpService : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;

    public LoopbackHttpService(Func<HttpListenerContext, Task> answer)
    {
        Url = new Uri($"http://127.0.0.1:{FreePort()}/extend/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _serving = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
                {
                    Requests.Add(await reader.ReadToEndAsync());
                }
                try
                {
                    await answer(context);
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or IOException)
                {
                    // The client gave up before the answer (the timeout case): nothing to deliver.
                }
            }
        });
    }

    public Uri Url { get; }

    public List<string> Requests { get; } = [];

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Answers <paramref name="context"/> with <paramref name="status"/> and <paramref name="body"/>.</summary>
    public static async Task Reply(HttpListenerContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        var bytes = Encoding.UTF8.GetBytes(body);
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(10));
    }
}
