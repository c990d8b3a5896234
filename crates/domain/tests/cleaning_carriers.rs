//! Every place a format can hide data, one fixture each: the upload is accepted, renders
//! the same after cleaning (every frame, its timing, its colour information) and keeps none
//! of the carrier's bytes.

use avatar_domain::avatar::verify_and_clean;
use avatar_domain::values::ContentType;
use bytes::Bytes;
use test_support::carriers::{self, Fixture};
use test_support::images::contains;
use test_support::render::render;

fn content_type(mime: &str) -> ContentType {
    ContentType::try_from(mime).expect("a supported type")
}

fn check(fixture: &Fixture) -> Result<(), String> {
    for secret in &fixture.secrets {
        if !contains(&fixture.bytes, secret) {
            return Err(format!(
                "the fixture lacks {:?}",
                String::from_utf8_lossy(secret)
            ));
        }
    }
    let reference = fixture.renders_like.as_ref().unwrap_or(&fixture.bytes);
    let before = render(reference, fixture.mime).map_err(|e| format!("input: {e}"))?;
    let clean = verify_and_clean(
        Bytes::from(fixture.bytes.clone()),
        content_type(fixture.mime),
    )
    .map_err(|r| format!("refused: {r}"))?;
    let left: Vec<_> = fixture
        .secrets
        .iter()
        .filter(|s| contains(&clean.bytes, s))
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect();
    if !left.is_empty() {
        return Err(format!("still holds {left:?}"));
    }
    let after = render(&clean.bytes, fixture.mime).map_err(|e| format!("output: {e}"))?;
    if (
        after.width,
        after.height,
        &after.frames,
        &after.animation,
        after.ended_in_error,
    ) != (
        before.width,
        before.height,
        &before.frames,
        &before.animation,
        before.ended_in_error,
    ) {
        return Err(format!(
            "renders differently:\n  before {before:?}\n  after  {after:?}"
        ));
    }
    if fixture.same_colour && after.colour != before.colour {
        return Err(format!(
            "colour differs: {} → {}",
            before.colour, after.colour
        ));
    }
    let again = verify_and_clean(clean.bytes.clone(), content_type(fixture.mime))
        .map_err(|r| format!("the clean file is refused: {r}"))?;
    if again.bytes != clean.bytes {
        return Err("cleaning a clean file changes it".into());
    }
    Ok(())
}

fn check_all(fixtures: Vec<Fixture>) {
    assert!(!fixtures.is_empty());
    let failures: Vec<String> = fixtures
        .iter()
        .filter_map(|f| check(f).err().map(|e| format!("{}: {e}", f.name)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n{}",
        failures.len(),
        fixtures.len(),
        failures.join("\n")
    );
}

#[test]
fn jpeg_carriers_are_removed_and_the_picture_renders_the_same() {
    check_all(carriers::jpeg_fixtures());
}

#[test]
fn png_carriers_are_removed_and_the_picture_renders_the_same() {
    check_all(carriers::png_fixtures());
}

#[test]
fn webp_carriers_are_removed_and_the_picture_renders_the_same() {
    check_all(carriers::webp_fixtures());
}

#[test]
fn gif_carriers_are_removed_and_the_picture_renders_the_same() {
    check_all(carriers::gif_fixtures());
}

#[test]
fn profiles_that_are_not_icc_are_dropped_and_the_picture_renders_the_same() {
    check_all(carriers::not_icc_fixtures());
}

#[test]
fn kept_colour_information_survives() {
    let cases: [(&str, &[&str]); 7] = [
        (
            "jpeg ICC profile in two APP2 segments",
            &["icc Some(\"700 bytes"],
        ),
        ("png iCCP name", &["icc Some(\"300 bytes"]),
        (
            "png cICP, mDCV, cLLI",
            &["cicp Some", "mdcv Some", "clli Some"],
        ),
        (
            "png gAMA, cHRM, sBIT",
            &["gamma Some", "chrm Some", "sbit Some"],
        ),
        ("png sRGB", &["srgb Some"]),
        ("webp EXIF and XMP", &["icc Some(\"200 bytes"]),
        ("gif ICC profile", &["icc Some(\"600 bytes"]),
    ];
    let all = carriers::all();
    for (name, expected) in cases {
        let fixture = all
            .iter()
            .find(|f| f.name.starts_with(name))
            .unwrap_or_else(|| panic!("fixture {name}"));
        let clean = verify_and_clean(
            Bytes::from(fixture.bytes.clone()),
            content_type(fixture.mime),
        )
        .expect("accepted");
        let colour = render(&clean.bytes, fixture.mime).expect("decodes").colour;
        for part in expected {
            assert!(colour.contains(part), "{name}: {part} in {colour}");
        }
    }
}
