//! `move-originals [--dry-run]`: moves the originals of avatars published before they were
//! kept apart (`avatars/` → `originals/`), one profile at a time, with a line per profile
//! and a summary. Reads `UPLOADS_BUCKET`, `PROFILES_TABLE`, the usual AWS credentials and
//! region, and `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL_DYNAMODB` for the local stack.
//! `scripts/move-originals` sets them from a stack's outputs or from local.env.

use std::process::ExitCode;

use avatar_aws::config::Env;
use avatar_aws::maintenance::{Moved, Mover};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut dry_run = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--dry-run" => dry_run = true,
            "-h" | "--help" => {
                println!("usage: move-originals [--dry-run]  (see scripts/move-originals)");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("move-originals: unknown argument {other:?}");
                return ExitCode::from(2);
            }
        }
    }
    let env = Env::process();
    let (bucket, table) = match (
        env.required("UPLOADS_BUCKET"),
        env.required("PROFILES_TABLE"),
    ) {
        (Ok(bucket), Ok(table)) => (bucket, table),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("move-originals: {e}");
            return ExitCode::from(2);
        }
    };
    let sdk = avatar_aws::sdk::load_sdk_config().await;
    let mover = Mover::new(
        &sdk,
        bucket.as_str(),
        table.as_str(),
        env.s3_endpoint().as_deref(),
        env.dynamodb_endpoint().as_deref(),
    );
    let found = match mover.profiles_with_avatars().await {
        Ok(found) => found,
        Err(e) => {
            eprintln!("move-originals: reading the profiles of table {table}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "{} profiles with an avatar in {table}{}",
        found.len(),
        if dry_run {
            " (dry run: nothing changes)"
        } else {
            ""
        }
    );
    let (mut moved, mut rendered, mut apart, mut changed, mut failed) = (0, 0, 0, 0, 0);
    for (n, profile) in (1..).zip(&found) {
        let name = &profile.username;
        let outcome = match &profile.avatar {
            Ok(avatar) => mover
                .move_one(name, avatar, dry_run)
                .await
                .map_err(|e| e.to_string()),
            Err(key) => Err(format!(
                "its avatarKey {key:?} is not a key this app writes"
            )),
        };
        let line = match outcome {
            Ok(Moved::Moved { to, rendered: r }) => {
                moved += 1;
                rendered += usize::from(r);
                let how = if r {
                    "WebP variants rendered"
                } else {
                    "variants kept"
                };
                format!("moved     {name}: {to} ({how})")
            }
            Ok(Moved::WouldMove { render }) => {
                moved += 1;
                rendered += usize::from(render);
                let how = if render {
                    ", would render WebP variants"
                } else {
                    ""
                };
                format!("would move {name}{how}")
            }
            Ok(Moved::AlreadyApart) => {
                apart += 1;
                format!("apart     {name}")
            }
            Ok(Moved::ChangedMeanwhile) => {
                changed += 1;
                format!("changed   {name}: its avatar changed during the move; left as it is")
            }
            Err(why) => {
                failed += 1;
                format!("FAILED    {name}: {why}")
            }
        };
        println!("[{n}/{}] {line}", found.len());
    }
    if dry_run {
        println!(
            "move-originals (dry run): {moved} to move ({rendered} to get variants rendered), {apart} already apart, {failed} failed"
        );
    } else {
        println!(
            "move-originals: {moved} moved ({rendered} with variants rendered), {apart} already apart, {changed} changed meanwhile, {failed} failed"
        );
    }
    if failed > 0 {
        eprintln!("move-originals: run it again once the failures above are fixed; it resumes");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
