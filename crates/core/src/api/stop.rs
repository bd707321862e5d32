//! Why a sign-in stopped waiting: its own module, because both the capture (which stops) and
//! the error type (which says why) name it.

/// Why a sign-in stopped waiting before its redirect came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The user pressed Cancel, or a newer sign-in replaced this one.
    Cancelled,
    /// The user closed the sign-in window.
    WindowClosed,
    /// The user interrupted the program (Ctrl-C).
    Interrupted,
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Cancelled => "the sign-in was cancelled",
            Self::WindowClosed => "the sign-in window was closed before the sign-in finished",
            Self::Interrupted => "the sign-in was interrupted",
        })
    }
}
