//! The development settings: one committed env file (`local.env`) that the local stack
//! and the functions under `cargo lambda watch` both read. The file wins over the shell
//! for everything both sides share (a developer's real AWS keys must not leak in); only
//! the stack's own knobs (`PORT`, `LOCAL_DATA_DIR`, `LAMBDA_WATCH_URL`, `LOCAL_IAM`) can
//! be overridden. The file's key pair is the stack's administrator key; each function
//! signs with its own (local IAM).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::StackError;

#[derive(Debug, Clone)]
pub struct DevConfig {
    pub edge_addr: SocketAddr,
    pub s3_addr: SocketAddr,
    pub dynamodb_addr: SocketAddr,
    pub api_upstream: String,
    pub access_key: String,
    pub secret_key: String,
    pub bucket: String,
    pub table: String,
    pub upload_ttl: Duration,
    pub data_dir: PathBuf,
    pub site_dir: PathBuf,
    /// The SAM template the edge reads the API's routes and authorizer from.
    pub template: PathBuf,
    /// The page's OAuth client id at the local sign-in.
    pub auth_client_id: String,
    /// The user pool the development sign-in plays (`USER_POOL_ID`, the functions' too).
    pub user_pool_id: String,
    pub region: String,
    /// Local IAM (docs/design.md): on unless `LOCAL_IAM=off`.
    pub iam: bool,
}

/// `KEY=VALUE` lines; blank lines and `#` comments ignored; optional quotes stripped.
pub fn parse_env_file(text: &str) -> HashMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            (k.trim().to_string(), v.to_string())
        })
        .collect()
}

impl DevConfig {
    /// Reads `env_file` (relative paths resolve against `root`); see the module docs.
    pub fn load(root: &Path, env_file: &Path) -> Result<Self, StackError> {
        let path = root.join(env_file);
        let text = std::fs::read_to_string(&path)
            .map_err(StackError::io(format!("cannot read {}", path.display())))?;
        let file = parse_env_file(&text);
        let own = |name: &str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.is_empty())
                .or_else(|| file.get(name).cloned())
        };
        let get = |name: &str| file.get(name).cloned();
        let need = |name: &str| {
            get(name).ok_or_else(|| {
                StackError::Setup(format!("{name} is not set in {}", path.display()))
            })
        };
        let port: u16 = own("PORT")
            .unwrap_or_else(|| "3000".into())
            .parse()
            .map_err(|_| StackError::Setup("PORT must be a port number".into()))?;
        Ok(Self {
            edge_addr: SocketAddr::from(([127, 0, 0, 1], port)),
            s3_addr: loopback_addr("AWS_ENDPOINT_URL_S3", &need("AWS_ENDPOINT_URL_S3")?)?,
            dynamodb_addr: loopback_addr(
                "AWS_ENDPOINT_URL_DYNAMODB",
                &need("AWS_ENDPOINT_URL_DYNAMODB")?,
            )?,
            api_upstream: own("LAMBDA_WATCH_URL").unwrap_or_else(|| "http://127.0.0.1:9000".into()),
            access_key: need("AWS_ACCESS_KEY_ID")?,
            secret_key: need("AWS_SECRET_ACCESS_KEY")?,
            bucket: need("UPLOADS_BUCKET")?,
            table: need("PROFILES_TABLE")?,
            upload_ttl: Duration::from_secs(
                get("UPLOAD_URL_TTL_SECS")
                    .unwrap_or_else(|| "60".into())
                    .parse()
                    .map_err(|_| {
                        StackError::Setup("UPLOAD_URL_TTL_SECS must be a number".into())
                    })?,
            ),
            data_dir: root.join(own("LOCAL_DATA_DIR").unwrap_or_else(|| ".local".into())),
            site_dir: root.join("site"),
            template: root.join("template.yaml"),
            auth_client_id: need("LOCAL_AUTH_CLIENT_ID")?,
            user_pool_id: need("USER_POOL_ID")?,
            region: get("AWS_REGION").unwrap_or_else(|| "us-east-1".into()),
            iam: match own("LOCAL_IAM").as_deref() {
                None | Some("on") => true,
                Some("off") => false,
                Some(other) => {
                    return Err(StackError::Setup(format!(
                        "LOCAL_IAM={other:?}: expected on or off"
                    )));
                }
            },
        })
    }

    /// The page's origins: both spellings of loopback, as the one CORS rule says.
    pub fn page_origins(&self) -> Vec<String> {
        let port = self.edge_addr.port();
        vec![
            format!("http://127.0.0.1:{port}"),
            format!("http://localhost:{port}"),
        ]
    }

    pub fn s3_url(&self) -> String {
        format!("http://{}", self.s3_addr)
    }
}

/// `http://127.0.0.1:9090` → the address to listen on. Only loopback: these stores accept
/// the keys committed in local.env, so `0.0.0.0` or a LAN address would open them (and
/// every profile in them) to the network.
fn loopback_addr(name: &str, url: &str) -> Result<SocketAddr, StackError> {
    let bad = || StackError::Setup(format!("{name}={url:?}: expected http://127.0.0.1:PORT"));
    let rest = url.strip_prefix("http://").ok_or_else(bad)?;
    let host_port = rest.trim_end_matches('/');
    let host_port = match host_port.strip_prefix("localhost:") {
        Some(port) => format!("127.0.0.1:{port}"),
        None => host_port.to_string(),
    };
    let addr: SocketAddr = host_port.parse().map_err(|_| bad())?;
    if !addr.ip().is_loopback() {
        return Err(StackError::Setup(format!(
            "{name}={url:?}: local endpoints must be loopback (127.0.0.1 or [::1]); {} would \
             expose the local stores, and the keys committed in local.env, to the network",
            addr.ip()
        )));
    }
    Ok(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_file_lines() {
        let parsed = parse_env_file("# comment\n\nA=1\n B = \"two words\" \nC=x=y\nnot a pair\n");
        assert_eq!(parsed.get("A").map(String::as_str), Some("1"));
        assert_eq!(parsed.get("B").map(String::as_str), Some("two words"));
        assert_eq!(parsed.get("C").map(String::as_str), Some("x=y"));
        assert_eq!(parsed.len(), 3);
    }

    #[test]
    fn endpoints_must_be_loopback_http() {
        assert_eq!(
            loopback_addr("X", "http://127.0.0.1:9090").unwrap().port(),
            9090
        );
        assert_eq!(
            loopback_addr("X", "http://localhost:8000/").unwrap().port(),
            8000
        );
        assert_eq!(
            loopback_addr("X", "http://[::1]:8000").unwrap().port(),
            8000
        );
        assert!(loopback_addr("X", "https://s3.amazonaws.com").is_err());
    }

    #[test]
    fn endpoints_that_would_listen_beyond_this_machine_are_refused() {
        for url in [
            "http://0.0.0.0:9090",
            "http://[::]:9090",
            "http://192.168.1.20:9090",
            "http://10.0.0.5:9090",
            "http://172.17.0.1:9090",
            "http://8.8.8.8:9090",
            "http://[fe80::1]:9090",
            "http://[::ffff:192.168.1.20]:9090",
            "http://localhost.example.com:9090",
            "http://127.0.0.1.nip.io:9090",
        ] {
            let err = loopback_addr("AWS_ENDPOINT_URL_S3", url).unwrap_err();
            assert!(
                err.to_string().contains("AWS_ENDPOINT_URL_S3"),
                "{url}: {err}"
            );
        }
    }

    #[test]
    fn the_whole_config_refuses_a_non_loopback_store() {
        let dir = tempfile::tempdir().unwrap();
        let committed =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../local.env"))
                .unwrap();
        for name in ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_DYNAMODB"] {
            let edited: String = committed
                .lines()
                .map(|l| {
                    if l.starts_with(&format!("{name}=")) {
                        format!("{name}=http://0.0.0.0:9555")
                    } else {
                        l.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            std::fs::write(dir.path().join("local.env"), edited).unwrap();
            let err = DevConfig::load(dir.path(), Path::new("local.env")).unwrap_err();
            assert!(
                err.to_string().contains("must be loopback"),
                "{name}: {err}"
            );
        }
    }
}
