use avatar_aws::schema::{ItemKind, PARTITION_KEY};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_dynamodb::types::AttributeValue;
use local_stack::iam::{Iam, KeyPair, LocalNames};
use local_stack::template::Template;
use local_stack::{DynamoSettings, Running, S3Settings, start_dynamodb, start_s3};

pub const ACCESS_KEY: &str = "AKIDTESTSTACK";
pub const SECRET_KEY: &str = "test-stack-secret";
pub const REGION: &str = "us-east-1";
pub const BUCKET: &str = "uploads";
pub const TABLE: &str = "profiles";
/// The user pool the development sign-in plays in tests.
pub const USER_POOL: &str = "us-east-1_testpool";
/// The origin the tests pretend the page is served from.
pub const PAGE_ORIGIN: &str = "http://127.0.0.1:3000";

/// The embedded S3 and DynamoDB on ephemeral loopback ports, with data in a temp dir.
pub struct TestStack {
    pub s3: Running,
    pub dynamodb: Running,
    pub dir: tempfile::TempDir,
    /// Local IAM from the template, shared with an edge started on this stack (the user
    /// pool's administration calls).
    pub iam: Arc<Iam>,
    config: SdkConfig,
    s3_client: aws_sdk_s3::Client,
    dynamo_client: aws_sdk_dynamodb::Client,
}

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The repository's template.yaml, which local IAM enforces.
pub fn template_text() -> String {
    std::fs::read_to_string(repository().join("template.yaml")).expect("template.yaml")
}

/// Each function's local key pair, by crate name (from its Cargo.toml).
pub fn function_keys() -> BTreeMap<String, KeyPair> {
    local_stack::iam::function_keys(&repository()).expect("functions' keys")
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

impl TestStack {
    /// A function's environment on this stack, as `setup` reads it: the bucket, the table,
    /// both endpoints, and `settings` (limits, sizes) on top.
    pub fn function_env(
        &self,
        settings: &[(&str, &str)],
    ) -> avatar_aws::config::Env<impl Fn(&str) -> Option<String> + use<>> {
        let mut vars: HashMap<String, String> = HashMap::from([
            ("UPLOADS_BUCKET".to_string(), BUCKET.to_string()),
            ("PROFILES_TABLE".to_string(), TABLE.to_string()),
            ("AWS_ENDPOINT_URL_S3".to_string(), self.s3.url()),
            ("AWS_ENDPOINT_URL_DYNAMODB".to_string(), self.dynamodb.url()),
            ("USER_POOL_ID".to_string(), USER_POOL.to_string()),
        ]);
        vars.extend(settings.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        avatar_aws::config::Env::from_fn(move |name| vars.get(name).cloned())
    }

    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::start_in(dir).await
    }

    /// Starts on data left by an earlier stack (restart tests).
    pub async fn start_in(dir: tempfile::TempDir) -> Self {
        Self::start_with(dir, &template_text()).await
    }

    /// Local IAM reads `template` instead of the repository's template.yaml (a copy with a
    /// permission removed, say).
    pub async fn start_with_template(template: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::start_with(dir, template).await
    }

    async fn start_with(dir: tempfile::TempDir, template: &str) -> Self {
        let iam = Arc::new(
            Iam::new(
                &Template::parse(template).expect("template.yaml parses"),
                LocalNames::new(REGION, BUCKET, TABLE).with_user_pool(USER_POOL),
                KeyPair::new(ACCESS_KEY, SECRET_KEY),
                &function_keys(),
            )
            .expect("local IAM from the template"),
        );
        let s3 = start_s3(S3Settings {
            addr: loopback(),
            root: dir.path().join("s3"),
            bucket: BUCKET.into(),
            access_key: ACCESS_KEY.into(),
            secret_key: SECRET_KEY.into(),
            allowed_origins: vec![PAGE_ORIGIN.into()],
            max_skew: Duration::from_secs(3600),
            iam: Some(Arc::clone(&iam)),
        })
        .await
        .expect("embedded S3");
        let dynamodb = start_dynamodb(DynamoSettings {
            addr: loopback(),
            path: Some(dir.path().join("dynamodb.sqlite")),
            table: TABLE.into(),
            iam: Some(Arc::clone(&iam)),
        })
        .await
        .expect("embedded DynamoDB");
        let config = sdk_config().await;
        let s3_client = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config)
                .endpoint_url(s3.url())
                .force_path_style(true)
                .build(),
        );
        let dynamo_client = aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::config::Builder::from(&config)
                .endpoint_url(dynamodb.url())
                .build(),
        );
        Self {
            s3,
            dynamodb,
            dir,
            iam,
            config,
            s3_client,
            dynamo_client,
        }
    }

    /// Static test credentials and the region, for building the app's own adapters.
    /// The key is the stack's administrator's: it may do anything.
    pub fn sdk_config(&self) -> &SdkConfig {
        &self.config
    }

    /// The SDK configuration `function` runs with locally: its own key, so the stack
    /// authorises its calls by its statements in the template.
    pub fn sdk_config_of(&self, function: &str) -> SdkConfig {
        let key = &function_keys()[function];
        self.config
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                &key.access_key,
                &key.secret_key,
                None,
                None,
                "function",
            )))
            .build()
    }

    pub fn s3_client(&self) -> &aws_sdk_s3::Client {
        &self.s3_client
    }

    pub fn dynamo_client(&self) -> &aws_sdk_dynamodb::Client {
        &self.dynamo_client
    }

    /// Every key in the bucket, sorted.
    pub async fn keys(&self) -> Vec<String> {
        let out = self
            .s3_client
            .list_objects_v2()
            .bucket(BUCKET)
            .send()
            .await
            .expect("list objects");
        let mut keys: Vec<String> = out
            .contents()
            .iter()
            .filter_map(|o| o.key().map(str::to_string))
            .collect();
        keys.sort();
        keys
    }

    /// Puts an object with its SHA-256 stored beside it, as a browser POST through the
    /// signed form leaves it.
    pub async fn put(&self, key: &str, body: Vec<u8>, content_type: &str) {
        let checksum = avatar_domain::values::Sha256Checksum::of(&body);
        self.s3_client
            .put_object()
            .bucket(BUCKET)
            .key(key)
            .content_type(content_type)
            .checksum_sha256(checksum.as_str())
            .body(body.into())
            .send()
            .await
            .expect("put object");
    }

    /// Puts an object with no checksum, as an upload that bypassed the signed form would.
    pub async fn put_without_checksum(&self, key: &str, body: Vec<u8>, content_type: &str) {
        self.s3_client
            .put_object()
            .bucket(BUCKET)
            .key(key)
            .content_type(content_type)
            .body(body.into())
            .send()
            .await
            .expect("put object");
    }

    pub async fn get(&self, key: &str) -> Option<(Vec<u8>, Option<String>, Option<String>)> {
        let out = self
            .s3_client
            .get_object()
            .bucket(BUCKET)
            .key(key)
            .send()
            .await
            .ok()?;
        let content_type = out.content_type().map(str::to_string);
        let cache_control = out.cache_control().map(str::to_string);
        let bytes = out.body.collect().await.ok()?.into_bytes().to_vec();
        Some((bytes, content_type, cache_control))
    }

    /// The raw DynamoDB item of a profile (`PROFILE#{username}`).
    pub async fn item(&self, username: &str) -> Option<HashMap<String, AttributeValue>> {
        self.item_by_key(&format!("{}{username}", ItemKind::Profile.prefix()))
            .await
    }

    /// The raw DynamoDB item of an account's owner record (`OWNER#{sub}`).
    pub async fn owner_item(&self, sub: &str) -> Option<HashMap<String, AttributeValue>> {
        self.item_by_key(&format!("{}{sub}", ItemKind::Owner.prefix()))
            .await
    }

    async fn item_by_key(&self, pk: &str) -> Option<HashMap<String, AttributeValue>> {
        self.dynamo_client
            .get_item()
            .table_name(TABLE)
            .key("pk", AttributeValue::S(pk.into()))
            .consistent_read(true)
            .send()
            .await
            .expect("get item")
            .item
    }

    /// Every profile and owner item in the table: the per-account limit counters
    /// (`LIMIT#…`) count attempts, refused ones too, so "nothing written" leaves them out.
    pub async fn items(&self) -> Vec<HashMap<String, AttributeValue>> {
        self.all_items()
            .await
            .into_iter()
            .filter(|item| {
                !item
                    .get(PARTITION_KEY)
                    .and_then(|pk| pk.as_s().ok())
                    .is_some_and(|pk| ItemKind::of(pk) == Some(ItemKind::Limit))
            })
            .collect()
    }

    /// What the stores hold, for "nothing stored" and "nothing left" assertions: every
    /// object key, and every item but the limit counters in key order.
    pub async fn contents(&self) -> (Vec<String>, Vec<HashMap<String, AttributeValue>>) {
        let mut items = self.items().await;
        items.sort_by_key(|i| format!("{:?}", i.get(PARTITION_KEY)));
        (self.keys().await, items)
    }

    /// Every item in the table, limit counters included.
    pub async fn all_items(&self) -> Vec<HashMap<String, AttributeValue>> {
        self.dynamo_client
            .scan()
            .table_name(TABLE)
            .send()
            .await
            .expect("scan")
            .items
            .unwrap_or_default()
    }

    pub async fn stop(self) -> tempfile::TempDir {
        self.s3.stop().await;
        self.dynamodb.stop().await;
        self.dir
    }
}

/// Static test credentials, the region, and short timeouts.
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new(REGION))
        .credentials_provider(Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "test"))
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(2))
                .operation_timeout(Duration::from_secs(8))
                .build(),
        )
        .load()
        .await
}

/// POSTs a form as a browser on the test page's origin does: fields in order, then
/// `file` last.
pub async fn post_form<N: AsRef<str>, V: AsRef<str>>(
    url: &str,
    fields: &[(N, V)],
    file: Vec<u8>,
    file_type: &str,
) -> reqwest::Response {
    post_form_from(PAGE_ORIGIN, url, fields, file, file_type).await
}

/// The same from another page origin.
pub async fn post_form_from<N: AsRef<str>, V: AsRef<str>>(
    origin: &str,
    url: &str,
    fields: &[(N, V)],
    file: Vec<u8>,
    file_type: &str,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in fields {
        form = form.text(name.as_ref().to_string(), value.as_ref().to_string());
    }
    let part = reqwest::multipart::Part::bytes(file)
        .file_name("avatar")
        .mime_str(file_type)
        .expect("mime");
    form = form.part("file", part);
    reqwest::Client::new()
        .post(url)
        .header("Origin", origin)
        .multipart(form)
        .send()
        .await
        .expect("POST form")
}
