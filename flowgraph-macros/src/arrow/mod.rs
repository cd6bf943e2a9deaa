//! The `segment!` arrow notation: parse → resolve → lower → expand.
