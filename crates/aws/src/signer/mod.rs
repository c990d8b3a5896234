//! Presigned S3 POST (browser-based upload with SigV4). aws-sdk-s3 has no presigned POST
//! (aws-sdk-rust#863), so the policy is built and signed here with `aws-sigv4`'s primitives.

mod credentials;
mod policy;
mod signing_key;

pub use credentials::CredentialSource;
pub use policy::{PostFields, PostPolicy, format_amz_date, format_credential_date};
pub use signing_key::SigningKeyCache;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use avatar_domain::BoxError;
use avatar_domain::ports::StoreError;
use avatar_domain::upload_form::{FormSigner, PresignedPost, UploadAnswer, UploadTerms};
use avatar_domain::values::ContentType;
use aws_credential_types::Credentials;
use time::OffsetDateTime;

/// Credentials that expire sooner than this are refreshed before signing, so a policy
/// is never cut much shorter than its configured lifetime.
const CREDENTIAL_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// The shortest form worth handing out (or the configured lifetime, if shorter): enough
/// to pick up a 5 MiB file and send it on a slow link. A form the credentials would cut
/// shorter is a `503`, never a `201` the browser cannot use.
pub const MIN_USABLE_FORM: Duration = Duration::from_secs(60);

/// The form field `success_action_status` for the answer the uploader wants: S3's `201`
/// XML document, an empty `200`, or its default `204`.
fn success_action_status(answer: UploadAnswer) -> &'static str {
    match answer {
        UploadAnswer::Empty => "200",
        UploadAnswer::Document => "201",
        UploadAnswer::NoContent => "204",
    }
}

/// Where the browser sends the form: on AWS, the bucket's endpoint as the S3 SDK's own
/// endpoint rules resolve it (their partition data gives the DNS suffix: `amazonaws.com`,
/// `amazonaws.com.cn` in the China regions, and whatever partitions come next); on a
/// custom endpoint, path-style.
pub fn form_url(bucket: &str, region: &str, endpoint: Option<&str>) -> Result<String, BoxError> {
    use aws_sdk_s3::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};

    if let Some(endpoint) = endpoint {
        return Ok(format!("{}/{bucket}", endpoint.trim_end_matches('/')));
    }
    let params = Params::builder()
        .bucket(bucket)
        .region(region)
        .use_fips(false)
        .use_dual_stack(false)
        .force_path_style(false)
        .accelerate(false)
        .build()?;
    let resolver = DefaultResolver::new();
    // The default resolver answers at once (`EndpointFuture::ready`); polling once keeps
    // this callable from sync init code without a runtime.
    let mut resolving = std::pin::pin!(resolver.resolve_endpoint(&params));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let std::task::Poll::Ready(endpoint) = resolving.as_mut().poll(&mut cx) else {
        return Err("the S3 endpoint resolver did not answer at once".into());
    };
    let url = endpoint?.url().to_string();
    // A bare origin gets the path S3's own examples POST to.
    Ok(if url.matches('/').count() == 2 {
        format!("{url}/")
    } else {
        url
    })
}

/// Signs POST policies for one bucket with the function's own credentials.
pub struct PostSigner {
    bucket: String,
    region: String,
    url: Arc<str>,
    keys: SigningKeyCache,
}

impl PostSigner {
    /// Fails only for a region S3's endpoint rules refuse (not a valid host label).
    pub fn new(
        bucket: impl Into<String>,
        region: impl Into<String>,
        endpoint: Option<&str>,
    ) -> Result<Self, BoxError> {
        let bucket = bucket.into();
        let region = region.into();
        let url = form_url(&bucket, &region, endpoint)?.into();
        Ok(Self {
            keys: SigningKeyCache::new(region.clone()),
            bucket,
            region,
            url,
        })
    }

    /// Resolves current credentials (cached, refreshed before they lapse) and signs.
    pub async fn presign(
        &self,
        credentials: &CredentialSource,
        terms: &UploadTerms<'_>,
        ttl: Duration,
        now: SystemTime,
    ) -> Result<PresignedPost, StoreError> {
        let creds = credentials
            .current(now, ttl.min(CREDENTIAL_REFRESH_MARGIN))
            .await?;
        let post = self.sign_terms(&creds, terms, ttl, now);
        // Even just-refreshed credentials can be near their end (a provider handing out
        // what it has cached): the policy would die with them.
        let lifetime = post.expires_at - OffsetDateTime::from(truncate_to_second(now));
        if lifetime < ttl.min(MIN_USABLE_FORM) {
            return Err(StoreError::Unavailable(
                format!("the signing credentials expire in {lifetime}, too soon for a usable form")
                    .into(),
            ));
        }
        Ok(post)
    }

    /// Pure signing of the usual form (S3's default `204` answer); see [`Self::sign_terms`].
    pub fn sign(
        &self,
        creds: &Credentials,
        key: &str,
        content_type: ContentType,
        max_bytes: u64,
        ttl: Duration,
        now: SystemTime,
    ) -> PresignedPost {
        let terms = UploadTerms {
            key,
            content_type,
            max_bytes,
            answer: None,
            checksum_sha256: None,
        };
        self.sign_terms(creds, &terms, ttl, now)
    }

    /// Pure signing: no I/O. The policy expires at `now + ttl`, or when the credentials do.
    pub fn sign_terms(
        &self,
        creds: &Credentials,
        terms: &UploadTerms<'_>,
        ttl: Duration,
        now: SystemTime,
    ) -> PresignedPost {
        let UploadTerms {
            key,
            content_type,
            max_bytes,
            answer,
            checksum_sha256,
        } = *terms;
        let success_action_status = answer.map(success_action_status);
        let signed_at = truncate_to_second(now);
        let mut expires = signed_at + ttl;
        if let Some(creds_expiry) = creds.expiry() {
            expires = expires.min(truncate_to_second(creds_expiry));
        }
        let signed_at = OffsetDateTime::from(signed_at);
        let expires_at = OffsetDateTime::from(expires);

        let credential = format!(
            "{}/{}/{}/s3/aws4_request",
            creds.access_key_id(),
            format_credential_date(signed_at),
            self.region
        );
        let amz_date = format_amz_date(signed_at);
        let policy = PostPolicy {
            expiration: expires_at,
            bucket: &self.bucket,
            key,
            content_type: content_type.mime(),
            success_action_status,
            checksum_sha256,
            max_bytes,
            credential: &credential,
            amz_date: &amz_date,
            security_token: creds.session_token(),
        }
        .to_json();
        // SIMD base64 (already in the tree through the SDK): the policy carries the ~1 KB
        // session token, so this is one of the larger per-request costs.
        let policy_b64 = base64_simd::STANDARD.encode_to_string(&policy);
        let signature = self.keys.sign(
            creds.access_key_id(),
            creds.secret_access_key(),
            signed_at,
            policy_b64.as_bytes(),
        );

        PresignedPost {
            url: Arc::clone(&self.url),
            fields: PostFields {
                key: key.to_string(),
                content_type: content_type.mime(),
                success_action_status,
                checksum_algorithm: checksum_sha256.map(|_| policy::CHECKSUM_ALGORITHM),
                checksum_sha256: checksum_sha256.map(str::to_string),
                algorithm: policy::ALGORITHM,
                credential,
                date: amz_date,
                security_token: creds.session_token().map(str::to_string),
                policy: policy_b64,
                signature,
            }
            .into_pairs(),
            expires_at,
        }
    }
}

fn truncate_to_second(t: SystemTime) -> SystemTime {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => SystemTime::UNIX_EPOCH + Duration::from_secs(d.as_secs()),
        Err(_) => t,
    }
}

/// The signer with the credentials it signs with: the domain's [`FormSigner`] on S3.
pub struct S3FormSigner {
    signer: PostSigner,
    credentials: CredentialSource,
}

impl S3FormSigner {
    pub fn new(signer: PostSigner, credentials: CredentialSource) -> Self {
        Self {
            signer,
            credentials,
        }
    }
}

#[async_trait]
impl FormSigner for S3FormSigner {
    async fn sign(
        &self,
        terms: &UploadTerms<'_>,
        ttl: Duration,
        now: SystemTime,
    ) -> Result<PresignedPost, StoreError> {
        self.signer
            .presign(&self.credentials, terms, ttl, now)
            .await
    }
}

#[cfg(test)]
mod tests;
