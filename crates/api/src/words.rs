//! The words of the API's enums, as the database also keeps them.

/// Gives an enum of the API its words: `as_str`, `ALL`, `FromStr` (the
/// error is [`model::UnknownWord`], as for kinds and roles) and `Display`.
/// The words are the ones serde writes (a test checks it).
macro_rules! words {
    ($type:ident, $what:literal, { $($variant:ident => $word:literal),+ $(,)? }) => {
        impl $type {
            /// Every value, in order.
            pub const ALL: &'static [$type] = &[$($type::$variant),+];

            /// Its word in the API and the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($type::$variant => $word),+
                }
            }
        }

        impl std::str::FromStr for $type {
            type Err = model::UnknownWord;

            fn from_str(word: &str) -> Result<$type, model::UnknownWord> {
                match word {
                    $($word => Ok($type::$variant),)+
                    _ => Err(model::UnknownWord {
                        what: $what,
                        word: word.to_owned(),
                    }),
                }
            }
        }

        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
