//! The local edge: plays CloudFront on one port.
