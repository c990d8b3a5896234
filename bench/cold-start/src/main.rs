//! Times Lambda function binaries the way Lambda runs them, without Lambda: a small Runtime
//! API (the `2018-06-01` endpoints `lambda_runtime` polls) serves one API Gateway event,
//! then a second one, and records
//!
//! - cold: from spawning the process to its first `…/response` (init + first invocation),
//! - init: from spawning to its first `…/invocation/next` poll,
//! - warm: from handing out the second event to its response,
//! - peak RSS (`VmHWM`) after the warm invocation.
//!
//! Each run gets a fresh emulator on its own port, so a killed process's pending poll can
//! never take the next run's event. Runs alternate between functions so that drift in the
//! machine's load affects them all alike. The same port also answers DynamoDB's `GetItem`
//! with "no item" (and an `UpdateItem`, such as sign-upload's limit count, with success),
//! so a function that reads a profile or counts an upload makes its one real SDK call; and
//! Cognito's `AdminDeleteUser` the same way (delete-account, which finds no profile).
//!
//! ```text
//! cold-start [--runs N] [--floor NAME] [--env KEY=VALUE]... NAME BINARY EVENT [NAME BINARY EVENT ...]
//! ```

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{Response, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use bytes::Bytes;
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio::sync::{Mutex, mpsc};

/// A run that has not answered twice by then counts as failed (Lambda's default timeout
/// is 3 s; a debug build or a retrying SDK call can take longer).
const RUN_TIMEOUT: Duration = Duration::from_secs(20);
const REGION: &str = "us-east-1";

type Error = Box<dyn std::error::Error + Send + Sync>;

struct Function {
    name: String,
    /// Added to (or replacing) the Lambda environment, for what-if runs.
    extra_env: Vec<(String, String)>,
    binary: PathBuf,
    event: Bytes,
}

#[derive(Debug, Clone, Copy)]
struct Sample {
    init: Duration,
    cold: Duration,
    warm: Duration,
    peak_rss_kib: u64,
    status: Option<u64>,
}

/// What the function did, in the order the emulator saw it.
enum Seen {
    Polled,
    Responded { status: Option<u64> },
    Failed(String),
}

struct Invocation {
    id: String,
    event: Bytes,
}

#[derive(Clone)]
struct Api {
    events: Arc<Mutex<mpsc::UnboundedReceiver<Invocation>>>,
    seen: mpsc::UnboundedSender<(Instant, Seen)>,
    function_arn: Arc<str>,
}

fn router(api: Api) -> Router {
    Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route(
            "/2018-06-01/runtime/invocation/{id}/response",
            post(respond),
        )
        .route("/2018-06-01/runtime/invocation/{id}/error", post(failed))
        .route("/2018-06-01/runtime/init/error", post(init_failed))
        // DynamoDB's JSON protocol posts to `/`; `{}` is a GetItem that found nothing.
        .route("/", post(dynamodb_get_item))
        .with_state(api)
}

/// Like Lambda, the long poll blocks until there is an invocation to hand out.
async fn next(State(api): State<Api>) -> Response<axum::body::Body> {
    let _ = api.seen.send((Instant::now(), Seen::Polled));
    let Some(invocation) = api.events.lock().await.recv().await else {
        return StatusCode::GONE.into_response();
    };
    let deadline_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
        + 3_000;
    Response::builder()
        .header("content-type", "application/json")
        .header("lambda-runtime-aws-request-id", &invocation.id)
        .header("lambda-runtime-deadline-ms", deadline_ms.to_string())
        .header(
            "lambda-runtime-invoked-function-arn",
            api.function_arn.as_ref(),
        )
        .header(
            "lambda-runtime-trace-id",
            "Root=1-67a1b2c3-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=0",
        )
        .body(axum::body::Body::from(invocation.event))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// Lambda answers `202 {"status":"OK"}` to every report from the runtime.
fn accepted() -> impl IntoResponse {
    (StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
}

async fn respond(State(api): State<Api>, body: Bytes) -> impl IntoResponse {
    let at = Instant::now();
    let status = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("statusCode")?.as_u64());
    let _ = api.seen.send((at, Seen::Responded { status }));
    accepted()
}

async fn failed(State(api): State<Api>, Path(id): Path<String>, body: Bytes) -> impl IntoResponse {
    let why = format!("invocation {id} failed: {}", String::from_utf8_lossy(&body));
    let _ = api.seen.send((Instant::now(), Seen::Failed(why)));
    accepted()
}

async fn init_failed(State(api): State<Api>, body: Bytes) -> impl IntoResponse {
    let why = format!("init failed: {}", String::from_utf8_lossy(&body));
    let _ = api.seen.send((Instant::now(), Seen::Failed(why)));
    accepted()
}

async fn dynamodb_get_item() -> impl IntoResponse {
    (
        [("content-type", "application/x-amz-json-1.0")],
        Bytes::from_static(b"{}"),
    )
}

/// What Lambda puts in a `provided.al2023` function's environment, with dummy temporary
/// credentials. Nothing is inherited, so the machine's own settings cannot leak in.
fn lambda_env(name: &str, api: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_LAMBDA_RUNTIME_API", api.to_string()),
        ("AWS_LAMBDA_FUNCTION_NAME", name.to_string()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128".into()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
        ("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}")),
        (
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "2026/01/01/[$LATEST]00000000000000000000000000000000".into(),
        ),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".into()),
        ("AWS_REGION", REGION.into()),
        ("AWS_DEFAULT_REGION", REGION.into()),
        ("AWS_ACCESS_KEY_ID", "ASIABENCHMARKEXAMPLE".into()),
        (
            "AWS_SECRET_ACCESS_KEY",
            "benchmark/secret/key/not/a/real/one".into(),
        ),
        ("AWS_SESSION_TOKEN", "benchmark-session-token".into()),
        ("_HANDLER", "bootstrap".into()),
        ("LAMBDA_TASK_ROOT", "/var/task".into()),
        ("LAMBDA_RUNTIME_DIR", "/var/runtime".into()),
        ("TZ", ":UTC".into()),
        ("LANG", "en_US.UTF-8".into()),
        ("PATH", "/usr/local/bin:/usr/bin:/bin".into()),
        ("UPLOADS_BUCKET", "avatar-uploads".into()),
        ("PROFILES_TABLE", "profiles".into()),
        ("USER_POOL_ID", format!("{REGION}_BenchPool")),
        ("AWS_ENDPOINT_URL_DYNAMODB", format!("http://{api}")),
        // delete-account's AdminDeleteUser, answered like DynamoDB's calls: `{}` is success.
        (
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
            format!("http://{api}"),
        ),
    ]
}

fn request_id(run: usize, n: usize) -> String {
    format!("{run:08x}-0000-4000-8000-{n:012x}")
}

async fn run_once(function: &Function, run: usize) -> Result<Sample, Error> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let api_addr = listener.local_addr()?.to_string();
    let (events, events_rx) = mpsc::unbounded_channel();
    let (seen_tx, mut seen) = mpsc::unbounded_channel();
    let api = Api {
        events: Arc::new(Mutex::new(events_rx)),
        seen: seen_tx,
        function_arn: format!(
            "arn:aws:lambda:{REGION}:123456789012:function:{}",
            function.name
        )
        .into(),
    };
    let server = tokio::spawn(async move { axum::serve(listener, router(api)).await });
    events.send(Invocation {
        id: request_id(run, 1),
        event: function.event.clone(),
    })?;

    let log = std::fs::File::create(log_path(&function.name))?;
    let started = Instant::now();
    let mut child = Command::new(&function.binary)
        .env_clear()
        .envs(lambda_env(&function.name, &api_addr))
        .envs(function.extra_env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true)
        .spawn()?;

    let timed = tokio::time::timeout(
        RUN_TIMEOUT,
        drive(&mut child, &mut seen, &events, function, run, started),
    )
    .await;
    // Read after the warm invocation, before the process goes away.
    let peak_rss_kib = child.id().map(peak_rss_kib).transpose()?;
    let _ = child.kill().await;
    server.abort();
    let (init, cold, warm, status) = match timed {
        Ok(result) => result?,
        Err(_) => return Err(format!("no answer within {RUN_TIMEOUT:?}").into()),
    };
    Ok(Sample {
        init,
        cold,
        warm,
        peak_rss_kib: peak_rss_kib.unwrap_or_default(),
        status,
    })
}

/// Cold invocation, then a warm one handed out only once the runtime polls again, as
/// Lambda does for a warm execution environment.
async fn drive(
    child: &mut Child,
    seen: &mut mpsc::UnboundedReceiver<(Instant, Seen)>,
    events: &mpsc::UnboundedSender<Invocation>,
    function: &Function,
    run: usize,
    started: Instant,
) -> Result<(Duration, Duration, Duration, Option<u64>), Error> {
    let mut init = None;
    let mut cold = None;
    let mut released = None;
    loop {
        let (at, what) = tokio::select! {
            s = seen.recv() => s.ok_or("the emulator stopped")?,
            exit = child.wait() => return Err(format!("exited ({}) before answering", exit?).into()),
        };
        match what {
            Seen::Polled => {
                init.get_or_insert(at - started);
                if cold.is_some() && released.is_none() {
                    released = Some(Instant::now());
                    events.send(Invocation {
                        id: request_id(run, 2),
                        event: function.event.clone(),
                    })?;
                }
            }
            Seen::Responded { status } => match (cold, released) {
                (None, _) => cold = Some((at - started, status)),
                (Some((cold, status)), Some(released)) => {
                    let init = init.unwrap_or(cold);
                    return Ok((init, cold, at - released, status));
                }
                (Some(_), None) => return Err("answered an event it was not given".into()),
            },
            Seen::Failed(why) => return Err(why.into()),
        }
    }
}

fn peak_rss_kib(pid: u32) -> Result<u64, Error> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmHWM in /proc/<pid>/status".into())
}

fn log_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("cold-start-{name}.log"))
}

/// Nearest-rank percentile of an unsorted slice.
fn percentile<T: Copy + Ord>(values: &[T], p: f64) -> T {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn report(functions: &[Function], samples: &[Vec<Sample>], floor: Option<usize>) {
    let med = |s: &[Sample], f: fn(&Sample) -> Duration| {
        percentile(&s.iter().map(f).collect::<Vec<_>>(), 0.5)
    };
    let p90 = |s: &[Sample], f: fn(&Sample) -> Duration| {
        percentile(&s.iter().map(f).collect::<Vec<_>>(), 0.9)
    };
    let rss = |s: &[Sample]| percentile(&s.iter().map(|x| x.peak_rss_kib).collect::<Vec<_>>(), 0.5);
    let floor = floor.map(|i| (med(&samples[i], |x| x.cold), rss(&samples[i])));
    println!(
        "{:<13} {:>6} {:>9} {:>9} {:>7} {:>9} {:>9} {:>9} {:>9} {:>7}",
        "function",
        "answer",
        "cold p50",
        "cold p90",
        "×floor",
        "init p50",
        "warm p50",
        "warm p90",
        "peak RSS",
        "×floor"
    );
    for (function, s) in functions.iter().zip(samples) {
        let cold = med(s, |x| x.cold);
        let peak = rss(s);
        let (cold_ratio, rss_ratio) = match floor {
            Some((fc, fr)) => (
                format!("{:.2}", cold.as_secs_f64() / fc.as_secs_f64()),
                format!("{:.2}", peak as f64 / fr as f64),
            ),
            None => ("-".into(), "-".into()),
        };
        let status = s[0].status.map_or("?".into(), |c| c.to_string());
        println!(
            "{:<13} {:>6} {:>7.2}ms {:>7.2}ms {:>7} {:>7.2}ms {:>7.0}µs {:>7.0}µs {:>6.1}MiB {:>7}",
            function.name,
            status,
            ms(cold),
            ms(p90(s, |x| x.cold)),
            cold_ratio,
            ms(med(s, |x| x.init)),
            med(s, |x| x.warm).as_secs_f64() * 1e6,
            p90(s, |x| x.warm).as_secs_f64() * 1e6,
            peak as f64 / 1024.0,
            rss_ratio,
        );
    }
}

fn parse_args() -> Result<(usize, Option<String>, Vec<Function>), Error> {
    let mut args = std::env::args().skip(1).peekable();
    let mut runs = 20;
    let mut floor = Some("hello-floor".to_string());
    let mut extra_env = Vec::new();
    while let Some(flag) = args.next_if(|a| a.starts_with("--")) {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--runs" => runs = value.parse()?,
            "--floor" => floor = Some(value).filter(|v| !v.is_empty()),
            "--env" => {
                let (k, v) = value.split_once('=').ok_or("--env needs KEY=VALUE")?;
                extra_env.push((k.to_string(), v.to_string()));
            }
            _ => return Err(format!("unknown option {flag}").into()),
        }
    }
    let rest: Vec<String> = args.collect();
    if rest.is_empty() || !rest.len().is_multiple_of(3) || runs == 0 {
        return Err(
            "usage: cold-start [--runs N] [--floor NAME] [--env KEY=VALUE]... NAME BINARY EVENT [NAME BINARY EVENT ...]"
                .into(),
        );
    }
    let functions = rest
        .chunks(3)
        .map(|c| {
            let event = std::fs::read(&c[2]).map_err(|e| format!("{}: {e}", c[2]))?;
            Ok(Function {
                name: c[0].clone(),
                extra_env: extra_env.clone(),
                binary: PathBuf::from(&c[1]),
                event: Bytes::from(event),
            })
        })
        .collect::<Result<_, Error>>()?;
    Ok((runs, floor, functions))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let (runs, floor, functions) = parse_args()?;
    let floor = floor.and_then(|f| functions.iter().position(|x| x.name == f));
    let mut samples = vec![Vec::with_capacity(runs); functions.len()];
    // Round 0 only warms the page cache with each binary; it is not counted.
    for run in 0..=runs {
        for (function, out) in functions.iter().zip(&mut samples) {
            let sample = run_once(function, run).await.map_err(|e| {
                format!(
                    "{} (run {run}): {e}; its output is in {}",
                    function.name,
                    log_path(&function.name).display()
                )
            })?;
            if run > 0 {
                out.push(sample);
            }
        }
    }
    println!(
        "{runs} runs each; cold = spawn → first response (init + first invocation), \
         init = spawn → first poll, warm = second invocation, peak RSS = VmHWM after it"
    );
    report(&functions, &samples, floor);
    Ok(())
}
