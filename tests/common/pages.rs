//! A tiny page server for integration tests: serves fixed routes (pages, robots.txt,
//! redirects, compressed bodies) on 127.0.0.1 and records every request it receives.
//!
//! Use it from a test file with `#[path = "common/pages.rs"] mod pages;`.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderMap, Request, Response, StatusCode};

/// One canned answer.
#[derive(Debug, Clone)]
pub struct Route {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Answer 304 when the request's `If-None-Match` equals this (and send it as `ETag`).
    pub etag: Option<String>,
    /// Never answer (for timeout tests).
    pub hang: bool,
}

impl Route {
    /// An HTML page (`text/html; charset=utf-8`).
    pub fn html(body: &str) -> Route {
        Route::new(200)
            .header("content-type", "text/html; charset=utf-8")
            .body(body.as_bytes())
    }

    /// A plain-text answer (robots.txt).
    pub fn text(body: &str) -> Route {
        Route::new(200)
            .header("content-type", "text/plain")
            .body(body.as_bytes())
    }

    /// An empty answer with this status.
    pub fn new(status: u16) -> Route {
        Route {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            etag: None,
            hang: false,
        }
    }

    /// A redirect (`status` 301/302/307/308) to `location`.
    pub fn redirect(status: u16, location: &str) -> Route {
        Route::new(status).header("location", location)
    }

    /// A request that is never answered.
    pub fn hang() -> Route {
        Route {
            hang: true,
            ..Route::new(200)
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Route {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn body(mut self, body: &[u8]) -> Route {
        self.body = body.to_vec();
        self
    }

    pub fn etag(mut self, etag: &str) -> Route {
        self.etag = Some(etag.to_string());
        self
    }
}

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Path and query.
    pub path: String,
    pub headers: HeaderMap,
}

/// A running page server.
#[derive(Clone)]
pub struct Site {
    pub addr: SocketAddr,
    routes: Arc<Mutex<HashMap<String, Route>>>,
    hits: Arc<Mutex<Vec<Hit>>>,
}

impl Site {
    /// Starts a server on 127.0.0.1 (random port) with these routes (path and query as key).
    /// Paths without a route answer 404.
    pub async fn start(routes: Vec<(&str, Route)>) -> Site {
        let site = Site {
            addr: "127.0.0.1:0".parse().unwrap(),
            routes: Arc::new(Mutex::new(
                routes
                    .into_iter()
                    .map(|(p, r)| (p.to_string(), r))
                    .collect(),
            )),
            hits: Arc::new(Mutex::new(Vec::new())),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = site.clone();
        let app = axum::Router::new().fallback(move |req: Request<Body>| {
            let state = state.clone();
            async move { state.answer(req).await }
        });
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Site { addr, ..site }
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> url::Url {
        url::Url::parse(&format!("http://{}{path}", self.addr)).unwrap()
    }

    /// The same server under another host spelling (`localhost`, `2130706433`, ...).
    pub fn url_as(&self, host: &str, path: &str) -> url::Url {
        url::Url::parse(&format!("http://{host}:{}{path}", self.addr.port())).unwrap()
    }

    /// Adds or replaces a route.
    pub fn route(&self, path: &str, route: Route) {
        self.routes.lock().unwrap().insert(path.to_string(), route);
    }

    /// Every request received so far.
    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    /// How many requests asked for `path`.
    pub fn hits_for(&self, path: &str) -> usize {
        self.hits().iter().filter(|h| h.path == path).count()
    }

    async fn answer(&self, req: Request<Body>) -> Response<Body> {
        let path = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        self.hits.lock().unwrap().push(Hit {
            path: path.clone(),
            headers: req.headers().clone(),
        });
        let route = self.routes.lock().unwrap().get(&path).cloned();
        let Some(route) = route else {
            return Response::builder()
                .status(StatusCode::NOT_FOUND)
                .body(Body::from("not found"))
                .unwrap();
        };
        if route.hang {
            std::future::pending::<()>().await;
        }
        let mut resp = Response::builder();
        for (k, v) in &route.headers {
            resp = resp.header(k, v);
        }
        if let Some(etag) = &route.etag {
            resp = resp.header("etag", etag);
            let matches = req
                .headers()
                .get("if-none-match")
                .is_some_and(|v| v.as_bytes() == etag.as_bytes());
            if matches {
                return resp
                    .status(StatusCode::NOT_MODIFIED)
                    .body(Body::empty())
                    .unwrap();
            }
        }
        resp.status(route.status)
            .body(Body::from(route.body.clone()))
            .unwrap()
    }
}
