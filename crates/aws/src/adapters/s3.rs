use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumMode, Delete, ObjectIdentifier};
use bytes::{Bytes, BytesMut};

use super::sdk_error::{classify, is_misconfiguration};
use crate::headers::AVATAR_CACHE_CONTROL;
use avatar_domain::ports::{Fetched, ObjectStore, StoreError};
use avatar_domain::render::Variants;
use avatar_domain::values::{AvatarKey, ContentType, UploadKey};

pub struct S3Objects {
    client: Client,
    bucket: String,
}

impl S3Objects {
    /// `endpoint` is `AWS_ENDPOINT_URL_S3` (the local S3): addressed path-style there,
    /// since `{bucket}.127.0.0.1` does not resolve.
    pub fn new(config: &SdkConfig, bucket: impl Into<String>, endpoint: Option<&str>) -> Self {
        let mut conf = aws_sdk_s3::config::Builder::from(config);
        if let Some(endpoint) = endpoint {
            conf = conf.endpoint_url(endpoint).force_path_style(true);
        }
        let conf = conf.build();
        Self {
            client: Client::from_conf(conf),
            bucket: bucket.into(),
        }
    }

    /// For the one-off maintenance commands, which read objects no port names.
    pub(crate) fn client(&self) -> (&Client, &str) {
        (&self.client, &self.bucket)
    }

    /// An avatar object: immutable under its unique key, so cached for a year.
    async fn put(&self, key: &str, body: Bytes, mime: &str) -> Result<(), StoreError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(mime)
            .cache_control(AVATAR_CACHE_CONTROL)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    /// One object, by key (a key that does not exist is no error).
    pub(crate) async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }
}

/// Never trusts the declared length alone: stops reading past the limit.
async fn read_bounded(
    mut body: ByteStream,
    declared: u64,
    max_bytes: u64,
    checksum_sha256: Option<String>,
) -> Result<Fetched, StoreError> {
    let mut buf = BytesMut::with_capacity(declared.min(max_bytes) as usize);
    while let Some(chunk) = body
        .try_next()
        .await
        .map_err(|e| StoreError::Unavailable(Box::new(e)))?
    {
        if (buf.len() + chunk.len()) as u64 > max_bytes {
            return Ok(Fetched::TooLarge((buf.len() + chunk.len()) as u64));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(Fetched::Found {
        bytes: buf.freeze(),
        checksum_sha256,
    })
}

#[async_trait]
impl ObjectStore for S3Objects {
    async fn get_upload(&self, key: &UploadKey, max_bytes: u64) -> Result<Fetched, StoreError> {
        let result = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            // The digest S3 checked on upload, not one the SDK would compute over a range.
            .checksum_mode(ChecksumMode::Enabled)
            .send()
            .await;
        let output = match result {
            Ok(output) => output,
            Err(err) => {
                let missing = err.as_service_error().is_some_and(|e| e.is_no_such_key())
                    || (!is_misconfiguration(&err)
                        && err
                            .raw_response()
                            .is_some_and(|r| r.status().as_u16() == 404));
                return if missing {
                    Ok(Fetched::Missing)
                } else {
                    Err(classify(err))
                };
            }
        };
        let declared = output.content_length().unwrap_or(0).max(0) as u64;
        if declared > max_bytes {
            return Ok(Fetched::TooLarge(declared));
        }
        // The SDK's operation timeout ends when the headers arrive; the body gets its own.
        tokio::time::timeout(
            crate::sdk::OPERATION_TIMEOUT,
            read_bounded(output.body, declared, max_bytes, output.checksum_sha256),
        )
        .await
        .map_err(|_| StoreError::Unavailable("reading the upload timed out".into()))?
    }

    async fn put_avatar(
        &self,
        key: &AvatarKey,
        body: Bytes,
        content_type: ContentType,
    ) -> Result<(), StoreError> {
        self.put(key.as_str(), body, content_type.mime()).await
    }

    async fn put_variants(&self, key: &AvatarKey, variants: &Variants) -> Result<(), StoreError> {
        let puts = variants.images.iter().map(|v| {
            let name = key.variant_key(v.size, variants.format);
            async move {
                self.put(&name, v.bytes.clone(), variants.format.mime())
                    .await
            }
        });
        // All run to the end (none is cancelled half-way), then the first failure counts.
        futures_util::future::join_all(puts)
            .await
            .into_iter()
            .collect::<Result<Vec<()>, _>>()?;
        Ok(())
    }

    async fn delete_upload(&self, key: &UploadKey) -> Result<(), StoreError> {
        self.delete(key.as_str()).await
    }

    async fn delete_avatar(&self, key: &AvatarKey) -> Result<(), StoreError> {
        let objects = key
            .object_keys()
            .into_iter()
            .map(|k| ObjectIdentifier::builder().key(k).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StoreError::Failed(Box::new(e)))?;
        let delete = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
            .map_err(|e| StoreError::Failed(Box::new(e)))?;
        let output = self
            .client
            .delete_objects()
            .bucket(&self.bucket)
            .delete(delete)
            .send()
            .await
            .map_err(classify)?;
        // One call, per-key results: a key refused inside a 200 is still a failure.
        match output.errors().first() {
            None => Ok(()),
            Some(e) => Err(StoreError::Failed(
                format!(
                    "deleting {} failed: {}",
                    e.key().unwrap_or("an object"),
                    e.code().unwrap_or("unknown error")
                )
                .into(),
            )),
        }
    }
}
