//! The comment service's HTTP edge: one `POST` that takes the form, in
//! either of the two ways the default theme sends it.
//!
//! - Without JavaScript, the browser posts the form and follows the
//!   answer: `303 See Other` to the post with `#comment-pending` (or the
//!   new comment's anchor when it was published at once); a refusal is a
//!   short page that says why and links back.
//! - With JavaScript, the theme's script posts the same fields with
//!   `fetch` and `Accept: application/json`, and shows the JSON answer's
//!   `message` in place.
//!
//! Only the site's own origin may post from a browser: a request with
//! another `Origin` is refused, and CORS headers name the site's origin
//! alone. Requests without `Origin` (curl, a proxy's health check) still
//! need the post's token.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{Accepted, App, Refusal};
use crate::markdown::{escape_attr, escape_text};

/// The service's routes: every path takes the form (a web server may
/// forward `/respond/` with or without its prefix).
pub fn router(app: Arc<App>) -> Router {
    Router::new().fallback(handle).with_state(app)
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// The request's `Origin`, if it sent one.
fn origin(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())
}

fn with_cors(mut response: Response, allowed: Option<&str>) -> Response {
    let h = response.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = allowed.and_then(|o| HeaderValue::from_str(o).ok()) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    response
}

async fn handle(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let site = app.site().await;
    let request_origin = origin(&headers);
    let allowed = request_origin.filter(|o| *o == site.origin);
    let json = wants_json(&headers);
    // Webmentions come from other sites' servers (and forms): any origin.
    let webmention = uri.path().trim_end_matches('/').ends_with("/webmention");
    if webmention && method == Method::POST {
        return post(&app, peer, &headers, body, json, true).await;
    }
    if request_origin.is_some() && allowed.is_none() {
        return refused(
            &Refusal::new(403, "Comments are taken only from the site's own pages."),
            json,
        );
    }
    let response = match method {
        Method::OPTIONS => {
            let mut r = StatusCode::NO_CONTENT.into_response();
            let h = r.headers_mut();
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("POST"),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("Accept, Content-Type"),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
            r
        }
        Method::GET | Method::HEAD => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "glossator respond: comments are posted here from the site's pages.\n",
        )
            .into_response(),
        Method::POST => post(&app, peer, &headers, body, json, false).await,
        _ => {
            let mut r = StatusCode::METHOD_NOT_ALLOWED.into_response();
            r.headers_mut().insert(
                header::ALLOW,
                HeaderValue::from_static("GET, POST, OPTIONS"),
            );
            r
        }
    };
    with_cors(response, allowed)
}

async fn post(
    app: &Arc<App>,
    peer: SocketAddr,
    headers: &HeaderMap,
    body: Body,
    json: bool,
    webmention: bool,
) -> Response {
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let client = app.client(peer.ip(), &forwarded);
    if let Err(refusal) = app.admit(client) {
        return refused(&refusal, json);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return refused(
            &Refusal::new(
                415,
                "Send the comment as a form (application/x-www-form-urlencoded).",
            ),
            json,
        );
    }
    let limit = app.options.max_request;
    let too_big = || {
        Refusal::new(
            413,
            format!(
                "The comment is too large (at most {} KB with its fields).",
                limit / 1024
            ),
        )
    };
    if headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n > limit)
    {
        return refused(&too_big(), json);
    }
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return refused(&too_big(), json);
    };
    if webmention {
        let mut source = None;
        let mut target = None;
        for (k, v) in url::form_urlencoded::parse(&bytes) {
            match k.as_ref() {
                "source" if source.is_none() => source = Some(v.into_owned()),
                "target" if target.is_none() => target = Some(v.into_owned()),
                _ => {}
            }
        }
        let (Some(source), Some(target)) = (source, target) else {
            return refused(
                &Refusal::new(400, "A webmention needs `source` and `target`."),
                json,
            );
        };
        return match super::webmention::receive(app, &source, &target).await {
            Ok(()) => (
                StatusCode::ACCEPTED,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "Accepted: the source will be checked, and the mention shown once the author approves it.\n",
            )
                .into_response(),
            Err(r) => refused(&r, json),
        };
    }
    let form = super::form::read(&bytes);
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    match app.receive(form, client, user_agent).await {
        Ok(accepted) => taken(&accepted, json),
        Err(refusal) => refused(&refusal, json),
    }
}

fn taken(a: &Accepted, json: bool) -> Response {
    let (anchor, message) = if a.published {
        // The thread may run over several pages: the post's own page
        // says where it is.
        (
            "comment-published".to_string(),
            "Thank you: your comment is published.",
        )
    } else {
        (
            "comment-pending".to_string(),
            "Thank you: your comment awaits moderation, and will appear once the author has read it.",
        )
    };
    let location = format!("{}#{anchor}", a.permalink);
    if json {
        let body = serde_json::json!({
            "status": if a.published { "published" } else { "pending" },
            "id": a.id,
            "message": message,
            "url": location,
        });
        let status = if a.published {
            StatusCode::CREATED
        } else {
            StatusCode::ACCEPTED
        };
        return (status, axum::Json(body)).into_response();
    }
    match HeaderValue::from_str(&location) {
        Ok(v) => (StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response(),
        Err(_) => (StatusCode::ACCEPTED, message).into_response(),
    }
}

fn refused(r: &Refusal, json: bool) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = if json {
        let body = serde_json::json!({
            "status": "refused",
            "message": r.message,
            "field": r.field,
        });
        (status, axum::Json(body)).into_response()
    } else {
        let back = r
            .back
            .as_deref()
            .map(|url| {
                format!(
                    "<p><a href=\"{}#respond\">Back to the post</a> (your browser's Back button keeps what you wrote).</p>\n",
                    escape_attr(url)
                )
            })
            .unwrap_or_default();
        let page = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"robots\" content=\"noindex\">\n<title>Comment not sent</title>\n</head>\n<body>\n<main>\n<h1>Comment not sent</h1>\n<p role=\"alert\">{}</p>\n{back}</main>\n</body>\n</html>\n",
            escape_text(&r.message)
        );
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            page,
        )
            .into_response()
    };
    if let Some(secs) = r.retry_after
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}
