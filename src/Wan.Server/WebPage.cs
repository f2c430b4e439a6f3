using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.FileProviders;

namespace Wan.Server;

/// <summary>
/// The web page at <c>/</c>: plain HTML/CSS/JS embedded in this assembly (<c>wwwroot/</c>, no build step, nothing from
/// a CDN, so an air-gapped server serves it whole). The files hold no data, so they are served before the API-key
/// check; every call the page makes goes through it (the page sends a key it was given as <c>X-Api-Key</c>).
/// </summary>
public static class WebPage
{
    /// <summary>The embedded page files.</summary>
    public static IFileProvider Files { get; } = new EmbeddedFileProvider(typeof(WebPage).Assembly, "Wan.Server.wwwroot");

    /// <summary>Serves <c>/</c> (index.html), <c>/app.js</c> and <c>/app.css</c> with a content security policy that allows only this origin.</summary>
    public static void Use(IApplicationBuilder app)
    {
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = Files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = Files,
            OnPrepareResponse = context =>
            {
                // Scripts and styles only from the server's own files; the player plays blob: URLs of fetched videos.
                context.Context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
                context.Context.Response.Headers.XContentTypeOptions = "nosniff";
            },
        });
    }
}
