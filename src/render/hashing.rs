//! Fingerprints: how a job's template context becomes one number.
//!
//! A [`JobContext`] hashes every value inserted into a page's context as
//! it goes; a [`Shared`] value (a per-post value made once and shown on
//! many pages) is hashed once when made and then counts by that hash, so
//! a page listing 10,000 posts hashes 10,000 numbers. What a job reads and
//! which per-post values exist is `reads`'; this module owns only the
//! hashing.
//!
//! A fingerprint needs an encoding in which two values agree only when
//! they are the same, not a readable one: JSON spent most of its time
//! escaping the posts' HTML and formatting numbers. Here every value is a
//! tag byte and its raw bytes, strings and byte strings carry their
//! length, and sequences, maps and structs open and close with a tag of
//! their own (their length is not always known up front), so the stream
//! can be read back one way only.
//!
//! Serializing our views cannot fail; if a value's `Serialize` ever does,
//! the stream gets a number never used before, so the fingerprint matches
//! nothing and the page is rendered.

use std::cell::Cell;
use std::fmt;
use std::hash::Hasher as _;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::ser::{self, Serialize, Serializer};
use tera::{Context, Value};
use xxhash_rust::xxh3::Xxh3;

thread_local! {
    /// Set while a value is serialized into a fingerprint: [`Shared`]
    /// values then write their hash instead of themselves.
    static HASHING: Cell<bool> = const { Cell::new(false) };
}

/// Feeds `value` to `h`, [`Shared`] values as their hashes.
pub(super) fn hash_into<T: Serialize + ?Sized>(h: &mut Xxh3, value: &T) {
    let was = HASHING.with(|c| c.replace(true));
    hash_value(h, value);
    HASHING.with(|c| c.set(was));
}

pub(super) fn hash_of<T: Serialize + ?Sized>(value: &T) -> u64 {
    let mut h = Xxh3::new();
    hash_into(&mut h, value);
    h.digest()
}

/// A value made once and shown on many pages, with its hash.
#[derive(Clone, Debug)]
pub struct Shared<T> {
    value: T,
    hash: u64,
}

impl<T: Serialize> Shared<T> {
    /// Hashes `value` when `hashed` (a build whose pages are keyed).
    pub fn new(value: T, hashed: bool) -> Self {
        let hash = if hashed { hash_of(&value) } else { 0 };
        Shared { value, hash }
    }
}

impl<T> Shared<T> {
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// The value, to make another from.
    pub fn into_value(self) -> T {
        self.value
    }

    /// A value whose hash was worked out from what it is made from.
    pub(super) fn with_hash(value: T, hash: u64) -> Self {
        Shared { value, hash }
    }
}

impl Shared<Value> {
    /// A value that is only ever hashed (a context that only
    /// fingerprints): its hash, standing in for what it would be.
    pub(super) fn stand_in(hash: u64) -> Self {
        Shared {
            value: Value::none(),
            hash,
        }
    }
}

/// The hash of a post's list item: its list value's, marked. The item's
/// HTML is made from that value, the `site` value and the theme, and every
/// page showing it hashes those too; so the item is fingerprinted without
/// rendering it.
pub(super) fn item_hash(list: &Shared<Value>) -> u64 {
    if list.hash == 0 {
        return 0;
    }
    let mut h = Xxh3::new();
    h.update(b"list item\0");
    h.write_u64(list.hash);
    h.digest()
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if HASHING.with(Cell::get) {
            serializer.serialize_u64(self.hash)
        } else {
            self.value.serialize(serializer)
        }
    }
}

/// A template context that hashes what goes in.
pub struct JobContext {
    /// `None` when only hashing (to find out whether to render at all).
    ctx: Option<Context>,
    hasher: Option<Xxh3>,
}

impl JobContext {
    /// A context to render, hashed too when `hashed` (a session that keeps
    /// fingerprints).
    pub fn new(hashed: bool) -> Self {
        JobContext {
            ctx: Some(Context::new()),
            hasher: hashed.then(Xxh3::new),
        }
    }

    /// Only the fingerprint: no template values are made.
    pub fn hash_only() -> Self {
        JobContext {
            ctx: None,
            hasher: Some(Xxh3::new()),
        }
    }

    pub fn insert<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        if let Some(h) = &mut self.hasher {
            h.write_usize(key.len());
            h.update(key.as_bytes());
            hash_into(h, value);
        }
        if let Some(ctx) = &mut self.ctx {
            ctx.insert(key, value);
        }
    }

    /// Hashes a value that is not handed to a template (what a job writes
    /// without one is made from it).
    pub fn hash<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        if let Some(h) = &mut self.hasher {
            h.write_usize(key.len());
            h.update(key.as_bytes());
            hash_into(h, value);
        }
    }

    /// Whether this context is for making the output (not only hashing).
    pub fn makes(&self) -> bool {
        self.ctx.is_some()
    }

    /// The context (unless only hashing), and the hasher when hashed.
    pub fn finish(self) -> (Option<Context>, Option<Xxh3>) {
        (self.ctx, self.hasher)
    }
}

/// Feeds `value` to `h`.
fn hash_value<T: Serialize + ?Sized>(h: &mut Xxh3, value: &T) {
    if value.serialize(&mut Feed(h)).is_err() {
        static FAILED: AtomicU64 = AtomicU64::new(0);
        h.update(b"\xfffailed");
        h.update(&std::process::id().to_le_bytes());
        h.update(&FAILED.fetch_add(1, Ordering::Relaxed).to_le_bytes());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        h.update(&now.to_le_bytes());
    }
}

struct Feed<'a>(&'a mut Xxh3);

/// A value's `Serialize` gave up.
#[derive(Debug)]
pub(super) struct Failed(String);

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failed {}

impl ser::Error for Failed {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Failed(msg.to_string())
    }
}

// One tag per kind of value.
const BOOL: u8 = 1;
const INT: u8 = 2;
const UINT: u8 = 3;
const FLOAT: u8 = 4;
const CHAR: u8 = 5;
const STR: u8 = 6;
const BYTES: u8 = 7;
const NONE: u8 = 8;
const SOME: u8 = 9;
const UNIT: u8 = 10;
const VARIANT: u8 = 11;
const SEQ: u8 = 12;
const MAP: u8 = 13;
const STRUCT: u8 = 14;
const END: u8 = 15;

impl Feed<'_> {
    fn tag(&mut self, tag: u8) {
        self.0.update(&[tag]);
    }

    fn text(&mut self, tag: u8, bytes: &[u8]) {
        self.tag(tag);
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }
}

type Done = Result<(), Failed>;

/// Narrower numbers are hashed as the widest of their kind, so a value
/// hashes alike whichever width a view gives it.
macro_rules! widen {
    ($($method:ident($ty:ty)),+ => $wide:ident) => {
        $(fn $method(self, v: $ty) -> Done {
            self.$wide(v.into())
        })+
    };
}

impl<'a, 'h> ser::Serializer for &'a mut Feed<'h> {
    type Ok = ();
    type Error = Failed;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Done {
        self.tag(BOOL);
        self.0.update(&[u8::from(v)]);
        Ok(())
    }
    widen!(serialize_i8(i8), serialize_i16(i16), serialize_i32(i32), serialize_i64(i64) => serialize_i128);
    fn serialize_i128(self, v: i128) -> Done {
        self.tag(INT);
        self.0.update(&v.to_le_bytes());
        Ok(())
    }
    widen!(serialize_u8(u8), serialize_u16(u16), serialize_u32(u32), serialize_u64(u64) => serialize_u128);
    fn serialize_u128(self, v: u128) -> Done {
        self.tag(UINT);
        self.0.update(&v.to_le_bytes());
        Ok(())
    }
    widen!(serialize_f32(f32) => serialize_f64);
    fn serialize_f64(self, v: f64) -> Done {
        self.tag(FLOAT);
        self.0.update(&v.to_bits().to_le_bytes());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Done {
        self.tag(CHAR);
        self.0.update(&u32::from(v).to_le_bytes());
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Done {
        self.text(STR, v.as_bytes());
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Done {
        self.text(BYTES, v);
        Ok(())
    }
    fn serialize_none(self) -> Done {
        self.tag(NONE);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Done {
        self.tag(SOME);
        value.serialize(self)
    }
    fn serialize_unit(self) -> Done {
        self.tag(UNIT);
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Done {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Done {
        self.text(VARIANT, variant.as_bytes());
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Done {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Done {
        self.text(VARIANT, variant.as_bytes());
        value.serialize(self)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self, Failed> {
        self.tag(SEQ);
        Ok(self)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self, Failed> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Self, Failed> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self, Failed> {
        self.text(VARIANT, variant.as_bytes());
        self.tag(SEQ);
        Ok(self)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self, Failed> {
        self.tag(MAP);
        Ok(self)
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self, Failed> {
        self.tag(STRUCT);
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self, Failed> {
        self.text(VARIANT, variant.as_bytes());
        self.tag(STRUCT);
        Ok(self)
    }
}

/// Elements follow one another; the closing tag ends the sequence.
macro_rules! sequence {
    ($trait:ident, $method:ident) => {
        impl ser::$trait for &mut Feed<'_> {
            type Ok = ();
            type Error = Failed;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
                value.serialize(&mut **self)
            }
            fn end(self) -> Done {
                self.tag(END);
                Ok(())
            }
        }
    };
}

sequence!(SerializeSeq, serialize_element);
sequence!(SerializeTuple, serialize_element);
sequence!(SerializeTupleStruct, serialize_field);
sequence!(SerializeTupleVariant, serialize_field);

impl ser::SerializeMap for &mut Feed<'_> {
    type Ok = ();
    type Error = Failed;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Done {
        key.serialize(&mut **self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
        value.serialize(&mut **self)
    }
    fn end(self) -> Done {
        self.tag(END);
        Ok(())
    }
}

/// Fields are hashed by name and value: a field left out (skipped) is
/// then not confused with the next one.
macro_rules! fields {
    ($trait:ident) => {
        impl ser::$trait for &mut Feed<'_> {
            type Ok = ();
            type Error = Failed;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Done {
                self.text(STR, key.as_bytes());
                value.serialize(&mut **self)
            }
            fn end(self) -> Done {
                self.tag(END);
                Ok(())
            }
        }
    };
}

fields!(SerializeStruct);
fields!(SerializeStructVariant);

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    fn hash<T: Serialize + ?Sized>(value: &T) -> u128 {
        let mut h = Xxh3::new();
        hash_value(&mut h, value);
        h.digest128()
    }

    #[derive(Serialize)]
    struct Page<'a> {
        title: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        summary: Option<&'a str>,
        tags: Vec<&'a str>,
    }

    #[test]
    fn values_hash_alike_only_when_they_are_alike() {
        let page = |title, summary, tags| Page {
            title,
            summary,
            tags,
        };
        let a = page("a", Some("b"), vec!["c"]);
        assert_eq!(hash(&a), hash(&page("a", Some("b"), vec!["c"])));
        // Where one string ends and the next begins.
        assert_ne!(hash(&("ab", "c")), hash(&("a", "bc")));
        // Where a list ends.
        assert_ne!(
            hash(&(vec!["a"], vec!["b"])),
            hash(&(vec!["a", "b"], Vec::<&str>::new()))
        );
        // A field left out is not the next field.
        assert_ne!(hash(&a), hash(&page("a", None, vec!["c"])));
        assert_ne!(
            hash(&page("a", None, vec!["b"])),
            hash(&page("a", Some("b"), vec![]))
        );
        // Kinds of value.
        assert_ne!(hash(&1u64), hash(&1i64));
        assert_ne!(hash(&1u64), hash(&1.0f64));
        assert_ne!(hash(&Some(())), hash(&()));
        assert_ne!(hash("1"), hash(&1u64));
        // Tera's values, as the memo holds them.
        let value = |s: &str| {
            tera::Value::from_serializable(&serde_json::from_str::<serde_json::Value>(s).unwrap())
        };
        assert_eq!(
            hash(&value(r#"{"a":[1,"x"]}"#)),
            hash(&value(r#"{"a":[1,"x"]}"#))
        );
        assert_ne!(
            hash(&value(r#"{"a":[1,"x"]}"#)),
            hash(&value(r#"{"a":[1,"y"]}"#))
        );
        assert_ne!(hash(&value(r#"{"a":"b"}"#)), hash(&value(r#"{"ab":""}"#)));
    }

    #[test]
    fn a_value_that_fails_to_serialize_matches_nothing() {
        struct Fails;
        impl Serialize for Fails {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("no"))
            }
        }
        assert_ne!(hash(&Fails), hash(&Fails));
    }
}
