//! Square variants on publish: the chosen square at every size, their objects and URLs,
//! and crops that are refused with nothing stored.

use test_support::variant_images::{self, GREEN, YELLOW};

use super::*;

#[tokio::test]
async fn the_chosen_square_is_published_at_every_size() {
    let h = Harness::start().await;
    let upload = h.upload("png", variant_images::quadrants_png(200)).await;
    let (status, body) = h
        .save(
            json!({"username": "ada", "fullName": "Ada", "avatarKey": upload,
            "crop": {"x": 100, "y": 0, "size": 100}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let largest = body["avatarUrl"].as_str().unwrap();
    let stem = largest.strip_suffix("-512.webp").unwrap();
    for size in [64, 128, 256, 512] {
        let url = body["avatarVariants"][size.to_string()].as_str().unwrap();
        assert_eq!(url, format!("{stem}-{size}.webp"));
        let (bytes, content_type, cache_control) = h.stack.get(&url[1..]).await.expect("stored");
        assert_eq!(content_type.as_deref(), Some("image/webp"));
        assert!(variant_images::is_bare_lossy_webp(&bytes));
        assert_eq!(
            cache_control.as_deref(),
            Some("public, max-age=31536000, immutable")
        );
        let image = variant_images::decode(&bytes);
        assert_eq!((image.width(), image.height()), (size, size));
        for (fx, fy) in [(0.0, 0.0), (0.5, 0.5), (0.999, 0.999)] {
            assert!(variant_images::near(
                variant_images::sample(&image, fx, fy),
                GREEN
            ));
        }
    }
    assert_eq!(
        h.stack.keys().await,
        published_keys(&h.stack, &body).await,
        "upload gone, five objects"
    );
    let item = h.stack.item("ada").await.unwrap();
    assert_eq!(item["avatarVariantFormat"].as_s().unwrap(), "webp");
    // The square is kept with the original, so the variants can be rendered again.
    let crop = item["avatarCrop"].as_m().expect("avatarCrop");
    for (name, value) in [("x", "100"), ("y", "0"), ("size", "100")] {
        assert_eq!(crop[name].as_n().unwrap(), value, "{name}");
    }

    // Without a crop: the centred largest square of a 200×100 picture is its middle.
    let wide = {
        let quadrants = image::load_from_memory(&variant_images::quadrants_png(200)).unwrap();
        let mut out = std::io::Cursor::new(Vec::new());
        quadrants
            .crop_imm(0, 100, 200, 100)
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
        out.into_inner()
    };
    let upload = h.upload("png", wide).await;
    let (status, body) = h
        .save(json!({"username": "ada", "fullName": "Ada", "avatarKey": upload}))
        .await;
    assert_eq!(status, 200, "{body}");
    let url = body["avatarVariants"]["128"].as_str().unwrap();
    let image = variant_images::decode(&h.stack.get(&url[1..]).await.unwrap().0);
    // Blue left, yellow right, split down the middle.
    assert!(variant_images::near(
        variant_images::sample(&image, 0.75, 0.5),
        YELLOW
    ));
    assert!(!variant_images::near(
        variant_images::sample(&image, 0.25, 0.5),
        YELLOW
    ));
    assert_eq!(
        h.stack.keys().await,
        published_keys(&h.stack, &body).await,
        "replaced: all five old objects gone"
    );
    let item = h.stack.item("ada").await.unwrap();
    assert!(
        !item.contains_key("avatarCrop"),
        "the centred square is no recorded square"
    );
}

/// A logo (flat colours) is published lossless, a photo lossy with an alpha plane; both
/// keep their transparent pixels transparent.
#[tokio::test]
async fn a_transparent_picture_keeps_its_alpha_in_webp_variants() {
    for (name, picture, chunks) in [
        (
            "flat",
            variant_images::half_transparent_png(100),
            &["VP8L"][..],
        ),
        (
            "photo",
            variant_images::half_transparent_photo_png(300),
            &["VP8X", "ALPH", "VP8 "][..],
        ),
    ] {
        let h = Harness::start().await;
        let upload = h.upload("png", picture).await;
        let (status, body) = h
            .save(json!({"username": "ada", "fullName": "Ada", "avatarKey": upload}))
            .await;
        assert_eq!(status, 201, "{name}: {body}");
        let url = body["avatarVariants"]["64"].as_str().unwrap();
        assert!(url.ends_with("-64.webp"), "{name}: {url}");
        let (bytes, content_type, _) = h.stack.get(&url[1..]).await.unwrap();
        assert_eq!(content_type.as_deref(), Some("image/webp"), "{name}");
        assert_eq!(variant_images::webp_chunks(&bytes), chunks, "{name}");
        let image = variant_images::decode(&bytes);
        assert_eq!(variant_images::sample(&image, 0.05, 0.5).0[3], 0, "{name}");
        assert_eq!(
            variant_images::sample(&image, 0.95, 0.5).0[3],
            255,
            "{name}"
        );
        assert_eq!(
            h.stack.item("ada").await.unwrap()["avatarVariantFormat"]
                .as_s()
                .unwrap(),
            "webp",
            "{name}"
        );
    }
}

#[tokio::test]
async fn removing_the_picture_deletes_every_variant() {
    let h = Harness::start().await;
    let upload = h.upload("png", images::png(30, 20)).await;
    let (_, body) = h
        .save(json!({"username": "ada", "fullName": "Ada", "avatarKey": upload}))
        .await;
    assert_eq!(h.stack.keys().await.len(), 5);
    assert_eq!(body["avatarVariants"].as_object().unwrap().len(), 4);

    let (status, body) = h
        .save(json!({"username": "ada", "fullName": "Ada", "avatarKey": null}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("avatarVariants").is_none(), "{body}");
    assert_eq!(h.stack.keys().await, Vec::<String>::new());
    let item = h.stack.item("ada").await.unwrap();
    assert!(!item.contains_key("avatarVariantFormat"));
}

#[tokio::test]
async fn refused_crops_store_nothing() {
    let h = Harness::start().await;
    // A profile with an avatar, and a valid 120×80 upload waiting in incoming/.
    let first = h.upload("png", images::png(10, 10)).await;
    assert_eq!(
        h.save(json!({"username": "ada", "fullName": "Ada", "avatarKey": first}))
            .await
            .0,
        201
    );
    let upload = h.upload("png", images::png(120, 80)).await;
    let before = h.snapshot().await;
    assert_eq!(before.0.len(), 6, "five published objects and the upload");

    let with_upload = |crop: Value| json!({"username": "ada", "fullName": "Changed", "avatarKey": upload, "crop": crop});
    for (name, body) in [
        (
            "outside right",
            with_upload(json!({"x": 41, "y": 0, "size": 80})),
        ),
        (
            "outside bottom",
            with_upload(json!({"x": 0, "y": 1, "size": 80})),
        ),
        (
            "larger than the picture",
            with_upload(json!({"x": 0, "y": 0, "size": 121})),
        ),
        (
            "negative",
            with_upload(json!({"x": -1, "y": 0, "size": 10})),
        ),
        ("zero size", with_upload(json!({"x": 0, "y": 0, "size": 0}))),
        (
            "fraction",
            with_upload(json!({"x": 1.5, "y": 0, "size": 10})),
        ),
        (
            "integral float",
            with_upload(json!({"x": 1.0, "y": 0, "size": 10})),
        ),
        ("missing member", with_upload(json!({"x": 0, "y": 0}))),
        (
            "extra member",
            with_upload(json!({"x": 0, "y": 0, "size": 10, "zoom": 2})),
        ),
        ("string", with_upload(json!("0,0,10"))),
        (
            "string member",
            with_upload(json!({"x": "0", "y": 0, "size": 10})),
        ),
        (
            "without avatarKey",
            json!({"username": "ada", "fullName": "Changed", "crop": {"x": 0, "y": 0, "size": 10}}),
        ),
        (
            "with avatarKey null",
            json!({"username": "ada", "fullName": "Changed", "avatarKey": null,
                "crop": {"x": 0, "y": 0, "size": 10}}),
        ),
    ] {
        let (status, answer) = h.save(body).await;
        assert_eq!(status, 400, "{name}: {answer}");
        assert_eq!(answer["error"]["code"], "invalid_request", "{name}");
        assert_eq!(answer["error"]["field"], "crop", "{name}");
        assert_eq!(
            h.snapshot().await,
            before,
            "{name}: nothing stored or deleted"
        );
    }
    // Exponent notation never reaches serde_json's integers: sent as written.
    let raw = format!(
        r#"{{"username":"ada","fullName":"Changed","avatarKey":"{upload}","crop":{{"x":0,"y":0,"size":1e2}}}}"#
    );
    let (status, answer) = h.save_raw(Some("application/json"), &raw).await;
    assert_eq!(
        (status, answer["error"]["field"].as_str()),
        (400, Some("crop")),
        "{answer}"
    );
    assert_eq!(h.snapshot().await, before, "1e2: nothing stored");

    // The same upload with a crop that fits is published.
    let (status, body) = h
        .save(with_upload(json!({"x": 40, "y": 0, "size": 80})))
        .await;
    assert_eq!(status, 200, "{body}");
}

/// The largest publish, for measuring memory: `/usr/bin/time -v <test binary>
/// the_largest_photo_is_published --ignored` gives the peak RSS of this whole process —
/// the embedded S3 and DynamoDB included — an upper bound for save-profile's (BENCHMARKS.md).
#[tokio::test]
#[ignore = "a measurement: run alone under /usr/bin/time"]
async fn the_largest_photo_is_published() {
    let h = Harness::start_with_max(6 << 20).await;
    let upload = h
        .upload("jpg", test_support::bench_images::photo_jpeg(4096))
        .await;
    let (status, body) = h
        .save(json!({"username": "ada", "fullName": "Ada", "avatarKey": upload}))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(h.stack.keys().await, published_keys(&h.stack, &body).await);
}
