//! The embedded S3's side of local IAM: s3s verifies each signature with the caller's
//! secret, then every operation is authorised as S3 authorises it. A browser's POST is
//! authorised as the key that signed its policy (sign-upload's), as `s3:PutObject` on
//! the form's key.

use std::path::PathBuf;
use std::sync::Arc;

use s3s::access::{S3Access, S3AccessContext};
use s3s::auth::{S3Auth, SecretKey};
use s3s::dto::{
    CopyObjectInput, CopySource, DeleteObjectsInput, PostObjectInput, PutObjectInput,
    UploadPartCopyInput,
};
use s3s::path::S3Path;
use s3s::{S3Request, S3Result, s3_error};

use crate::iam::{Iam, LocalNames, Request, Verdict};

/// The secrets of every key the local IAM knows.
pub struct Keys(pub Arc<Iam>);

#[async_trait::async_trait]
impl S3Auth for Keys {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<SecretKey> {
        match self.0.secret_of(access_key) {
            Some(secret) => Ok(SecretKey::from(secret)),
            None => Err(s3_error!(
                InvalidAccessKeyId,
                "The AWS Access Key Id you provided does not exist in our records."
            )),
        }
    }
}

/// Authorises each operation against the caller's statements.
pub struct Access {
    pub iam: Arc<Iam>,
    /// s3s-fs's folder, to tell a missing object from a present one.
    pub root: PathBuf,
}

/// The IAM action an S3 operation needs (S3's table of operations and permissions).
pub fn action_of(operation: &str) -> String {
    let action = match operation {
        "HeadObject" | "GetObjectAttributes" => "GetObject",
        "HeadBucket" | "ListObjects" | "ListObjectsV2" => "ListBucket",
        "DeleteObjects" => "DeleteObject",
        "ListBuckets" => "ListAllMyBuckets",
        "CreateMultipartUpload"
        | "UploadPart"
        | "UploadPartCopy"
        | "CompleteMultipartUpload"
        | "CopyObject" => "PutObject",
        other => other,
    };
    format!("s3:{action}")
}

/// S3 keeps a key as written, but s3s-fs stores it as a file path, where `a/../b` is
/// `b` and a leading `/` leaves the folder: a grant on `incoming/*` would reach
/// `avatars/`. Such keys are refused rather than authorised as the path they collapse
/// to, so the object a caller names is always the object it is authorised for (the
/// product never makes one).
fn unambiguous(key: &str) -> S3Result<()> {
    let ambiguous = key.starts_with('/')
        || key.contains('\\')
        || key
            .split('/')
            .any(|segment| segment == "." || segment == "..");
    if ambiguous {
        return Err(s3_error!(
            InvalidArgument,
            "The local store cannot hold a key with a . or .. segment, a leading / or a backslash"
        ));
    }
    Ok(())
}

impl Access {
    fn decide(&self, access_key: &str, request: &Request) -> S3Result<()> {
        match self.iam.authorise(access_key, request) {
            Verdict::Allowed => Ok(()),
            Verdict::Denied(message) => Err(s3_error!(AccessDenied, "{message}")),
            Verdict::UnknownKey => Err(s3_error!(
                InvalidAccessKeyId,
                "The AWS Access Key Id you provided does not exist in our records."
            )),
        }
    }

    fn object_arn(bucket: &str, key: &str) -> String {
        format!("{}/{key}", LocalNames::bucket_arn(bucket))
    }
}

#[async_trait::async_trait]
impl S3Access for Access {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        let Some(credentials) = cx.credentials() else {
            return Err(s3_error!(AccessDenied, "Access Denied"));
        };
        let access_key = credentials.access_key.clone();
        let operation = cx.s3_op().name();
        let action = action_of(operation);
        match cx.s3_path() {
            // The form's key is known only once the form is read, a multi-object delete's
            // keys once its body is: `post_object` and `delete_objects` below.
            S3Path::Bucket { .. } if operation == "PostObject" || operation == "DeleteObjects" => {
                Ok(())
            }
            S3Path::Root => self.decide(&access_key, &Request::new(action, "*")),
            S3Path::Bucket { bucket } => self.decide(
                &access_key,
                &Request::new(action, LocalNames::bucket_arn(bucket)),
            ),
            S3Path::Object { bucket, key } => {
                unambiguous(key)?;
                self.decide(
                    &access_key,
                    &Request::new(action, Self::object_arn(bucket, key)),
                )?;
                // S3 answers a read of a missing key with 404 only to a caller that may
                // list the bucket; anyone else learns nothing and gets 403.
                let reads = operation == "GetObject" || operation == "HeadObject";
                if reads && !self.root.join(&**bucket).join(&**key).is_file() {
                    let list = Request::new("s3:ListBucket", LocalNames::bucket_arn(bucket));
                    self.decide(&access_key, &list)?;
                }
                Ok(())
            }
        }
    }

    async fn post_object(&self, req: &mut S3Request<PostObjectInput>) -> S3Result<()> {
        let Some(credentials) = &req.credentials else {
            return Err(s3_error!(AccessDenied, "Access Denied"));
        };
        unambiguous(&req.input.key)?;
        let arn = Self::object_arn(&req.input.bucket, &req.input.key);
        self.decide(&credentials.access_key, &Request::new("s3:PutObject", arn))
    }

    /// S3 authorises a multi-object delete key by key, as `s3:DeleteObject` on each; one
    /// key outside the caller's statements refuses the whole call here (S3 would list it
    /// among the answer's errors), which is stricter, never looser.
    async fn delete_objects(&self, req: &mut S3Request<DeleteObjectsInput>) -> S3Result<()> {
        let Some(credentials) = &req.credentials else {
            return Err(s3_error!(AccessDenied, "Access Denied"));
        };
        for object in &req.input.delete.objects {
            unambiguous(&object.key)?;
            let arn = Self::object_arn(&req.input.bucket, &object.key);
            self.decide(
                &credentials.access_key,
                &Request::new("s3:DeleteObject", arn),
            )?;
        }
        Ok(())
    }

    async fn put_object(&self, req: &mut S3Request<PutObjectInput>) -> S3Result<()> {
        let Some(credentials) = &req.credentials else {
            return Err(s3_error!(AccessDenied, "Access Denied"));
        };
        unambiguous(&req.input.key)?;
        let arn = Self::object_arn(&req.input.bucket, &req.input.key);
        self.decide(&credentials.access_key, &Request::new("s3:PutObject", arn))
    }

    /// A copy reads its source as `s3:GetObject` (the destination's `s3:PutObject` is
    /// `check`'s).
    async fn copy_object(&self, req: &mut S3Request<CopyObjectInput>) -> S3Result<()> {
        self.may_read_source(req.credentials.as_ref(), &req.input.copy_source)
    }

    async fn upload_part_copy(&self, req: &mut S3Request<UploadPartCopyInput>) -> S3Result<()> {
        self.may_read_source(req.credentials.as_ref(), &req.input.copy_source)
    }
}

impl Access {
    fn may_read_source(
        &self,
        credentials: Option<&s3s::auth::Credentials>,
        source: &CopySource,
    ) -> S3Result<()> {
        let Some(credentials) = credentials else {
            return Err(s3_error!(AccessDenied, "Access Denied"));
        };
        // The local stack has no access points: a source named through one is nobody's.
        let CopySource::Bucket { bucket, key, .. } = source else {
            return Err(s3_error!(AccessDenied, "Access Denied"));
        };
        unambiguous(key)?;
        let arn = Self::object_arn(bucket, key);
        self.decide(&credentials.access_key, &Request::new("s3:GetObject", arn))
    }
}
