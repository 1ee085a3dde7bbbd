//! `decode_query_pairs`: a request's query string read on the server side, the inverse of what
//! the transport does with an endpoint's `QueryPairs`, for emulated routes a downstream test
//! suite mounts (they can read the query without a URL-encoding crate of their own).

use percent_encoding::percent_decode_str;

/// Splits a raw query string (without the `?`), as it arrives at a server, into its decoded
/// pairs, in order, repeated keys included: the inverse of the transport's
/// `application/x-www-form-urlencoded` encoding of [`Endpoint::query`](crate::Endpoint::query).
///
/// Pairs are separated by `&` (empty ones are skipped); a pair without `=` has an empty value; `+`
/// is a space and `%2B` a plus; invalid UTF-8 after decoding becomes U+FFFD.
///
/// ```
/// use rockit_model::decode_query_pairs;
///
/// assert_eq!(
///     decode_query_pairs("name=su+shi&order%5B%5D=-name&order%5B%5D=%2Bid&&flag&x=%FF"),
///     [
///         ("name".to_owned(), "su shi".to_owned()),
///         ("order[]".to_owned(), "-name".to_owned()),
///         ("order[]".to_owned(), "+id".to_owned()),
///         ("flag".to_owned(), String::new()),
///         ("x".to_owned(), "\u{FFFD}".to_owned()),
///     ]
/// );
/// assert!(decode_query_pairs("").is_empty());
/// ```
pub fn decode_query_pairs(raw_query: &str) -> Vec<(String, String)> {
    raw_query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_component(key), decode_component(value))
        })
        .collect()
}

/// One key or value: `+` to a space first, so that a `%2B` decodes to a plus.
fn decode_component(raw: &str) -> String {
    let spaced = raw.replace('+', " ");
    percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_equals_sign_splits() {
        assert_eq!(
            decode_query_pairs("a==b%3D&=v"),
            [("a".to_owned(), "=b=".to_owned()), (String::new(), "v".to_owned())]
        );
    }

    #[test]
    fn encoded_separators_stay_inside_their_component() {
        assert_eq!(
            decode_query_pairs("k%26=v%26w%23&%C3%A9=%20"),
            [("k&".to_owned(), "v&w#".to_owned()), ("é".to_owned(), " ".to_owned())]
        );
    }
}
