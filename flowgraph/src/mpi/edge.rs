//! Remote edges: the segments that stand for one edge on its two ranks.
//!
//! On the producing rank a remote edge is a *sender*: a sink that serializes
//! its input (when it notifies) and queues one message per generation. On the
//! consuming rank it is a *receiver*: a source-like node that the distributed
//! `stabilize` pokes when the edge is in the generation's cone, and whose
//! compute blocks until that message arrives. The received value lives in the
//! receiver's state, so a `RefPort<T>` consumer gets a reference into a buffer
//! owned by its own rank, exactly like a local one.

use std::marker::PhantomData;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::mpi::comm::{Cmd, Link};
use crate::mpi::wire;
use crate::typed::{Handle, Interface, Port, RefPort, Segment};

/// Where a remote edge goes: enough for both of its ends.
#[doc(hidden)]
#[derive(Clone)]
pub struct EdgeCtx {
    pub(crate) link: Arc<Link>,
    pub(crate) graph: u32,
    /// The receiver's node id: the edge's name on every rank.
    pub(crate) edge: u32,
    pub(crate) to: usize,
}

impl std::fmt::Debug for EdgeCtx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EdgeCtx")
            .field("graph", &self.graph)
            .field("edge", &self.edge)
            .field("to", &self.to)
            .finish()
    }
}

mod sealed {
    pub trait Sealed {}
}

/// An output leaf that may cross ranks: [`Port<T>`] or [`RefPort<T>`] whose
/// `T` is `serde::Serialize + serde::de::DeserializeOwned`.
///
/// Crossing ranks is always explicit (`DistBuilder::remote`), so a value that
/// cannot be serialized is rejected at compile time:
///
/// ```compile_fail
/// use flowgraph::mpi::{Cluster, DistBuilder};
/// use flowgraph::typed::*;
///
/// /// Not serializable.
/// #[derive(Clone, Copy)]
/// struct Opaque(u8);
///
/// fn wire(b: &mut DistBuilder<'_>) {
///     let s = b.push_source(Source::new(Opaque(1)));
///     let _ = b.remote(*s, 1); // `Opaque` does not implement `Serialize`
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot cross ranks",
    label = "this handle's value cannot be sent to another rank",
    note = "only `Port<T>` and `RefPort<T>` leaves cross ranks, and `T` must implement `serde::Serialize` and `serde::de::DeserializeOwned`"
)]
pub trait Remote: Sized + Interface<Handles = Handle<Self>> + sealed::Sealed {
    #[doc(hidden)]
    /// The producing rank's end.
    type Sender: Segment<Inputs = Self, Outputs = ()> + 'static;
    #[doc(hidden)]
    /// The consuming rank's end.
    type Receiver: Segment<Inputs = (), Outputs = Self> + 'static;
    #[doc(hidden)]
    fn sender(ctx: EdgeCtx) -> Self::Sender;
    #[doc(hidden)]
    fn receiver(ctx: EdgeCtx, from: usize) -> Self::Receiver;
    #[doc(hidden)]
    /// The value's type name and size, for the graph fingerprint.
    fn value() -> (&'static str, usize);
}

impl<T> sealed::Sealed for Port<T> {}
impl<T> sealed::Sealed for RefPort<T> {}

impl<T> Remote for Port<T>
where
    T: Copy + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    type Sender = SendEnd<T, false>;
    type Receiver = RecvEnd<T, false>;
    fn sender(ctx: EdgeCtx) -> Self::Sender {
        SendEnd(ctx, PhantomData)
    }
    fn receiver(ctx: EdgeCtx, from: usize) -> Self::Receiver {
        RecvEnd(ctx, from, PhantomData)
    }
    fn value() -> (&'static str, usize) {
        (std::any::type_name::<T>(), std::mem::size_of::<T>())
    }
}

impl<T> Remote for RefPort<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    type Sender = SendEnd<T, true>;
    type Receiver = RecvEnd<T, true>;
    fn sender(ctx: EdgeCtx) -> Self::Sender {
        SendEnd(ctx, PhantomData)
    }
    fn receiver(ctx: EdgeCtx, from: usize) -> Self::Receiver {
        RecvEnd(ctx, from, PhantomData)
    }
    fn value() -> (&'static str, usize) {
        (std::any::type_name::<T>(), std::mem::size_of::<T>())
    }
}

/// The producing rank's end of a remote edge (`BY_REF`: a `RefPort`).
#[doc(hidden)]
#[derive(Debug)]
pub struct SendEnd<T, const BY_REF: bool>(EdgeCtx, PhantomData<fn() -> T>);

/// The consuming rank's end of a remote edge (`BY_REF`: a `RefPort`).
#[doc(hidden)]
#[derive(Debug)]
pub struct RecvEnd<T, const BY_REF: bool>(EdgeCtx, usize, PhantomData<fn() -> T>);

/// A sender's state: where to send.
#[doc(hidden)]
#[derive(Debug)]
pub struct SendState(EdgeCtx);

/// A receiver's state: the buffer values arrive into.
#[doc(hidden)]
#[derive(Debug)]
pub struct RecvState<T> {
    ctx: EdgeCtx,
    from: usize,
    value: Option<T>,
}

impl<T, const BY_REF: bool> RecvEnd<T, BY_REF> {
    /// The receiver's state, with no value yet.
    fn into_state(self) -> RecvState<T> {
        RecvState {
            ctx: self.0,
            from: self.1,
            value: None,
        }
    }
}

impl SendState {
    /// Queues this generation's message: the flag, and the value when
    /// `with_value`.
    fn send<T: Serialize + 'static>(&self, notify: bool, with_value: bool, value: &T) {
        let ctx = &self.0;
        // The first message of this generation to `ctx.to` may carry this
        // rank's poked-source list.
        let agree = ctx.link.take_deferred(ctx.graph, ctx.to);
        let mut bytes = wire::data_header(
            ctx.link.buffer(),
            (ctx.graph, ctx.edge),
            notify,
            with_value,
            agree.as_deref(),
        );
        if with_value {
            bytes = wire::encode(value, bytes).unwrap_or_else(|e| {
                panic!(
                    "flowgraph: cannot serialize the value of remote edge #{} (`{}`): {e}",
                    ctx.edge,
                    std::any::type_name::<T>()
                )
            });
        }
        ctx.link.send(Cmd::Send { to: ctx.to, bytes });
    }
}

impl<T: DeserializeOwned + 'static> RecvState<T> {
    /// Blocks until this generation's message arrives; returns its flag.
    fn receive(&mut self) -> bool {
        let ctx = &self.ctx;
        let data = ctx
            .link
            .recv_data(ctx.graph, ctx.edge, self.from)
            .unwrap_or_else(|e| {
                panic!(
                    "flowgraph: remote edge #{} from rank {} to rank {}: {e}",
                    ctx.edge, self.from, ctx.to
                )
            });
        if let Some((payload, at)) = data.payload {
            wire::decode_into(&mut self.value, &payload[at..]).unwrap_or_else(|e| {
                panic!(
                    "flowgraph: remote edge #{} from rank {}: cannot decode a `{}`: {e}",
                    ctx.edge,
                    self.from,
                    std::any::type_name::<T>()
                )
            });
            ctx.link.recycle(payload);
        }
        data.notify
    }

    fn value(&self) -> &T {
        self.value.as_ref().unwrap_or_else(|| {
            panic!(
                "flowgraph: remote edge #{} from rank {}: the first message carried no value",
                self.ctx.edge, self.from
            )
        })
    }
}

impl<T> Segment for SendEnd<T, false>
where
    T: Copy + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    type Inputs = Port<T>;
    type Outputs = ();
    type State = SendState;
    fn init(self) -> SendState {
        SendState(self.0)
    }
    fn compute<'a, 'b: 'a>((n, v): (bool, T), state: &'b mut SendState, init: bool) {
        // The build call always carries the value: the receiver has none yet.
        state.send(n, n || init, &v);
    }
}

impl<T> Segment for SendEnd<T, true>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    type Inputs = RefPort<T>;
    type Outputs = ();
    type State = SendState;
    fn init(self) -> SendState {
        SendState(self.0)
    }
    fn compute<'a, 'b: 'a>((n, v): (bool, &'a T), state: &'b mut SendState, init: bool) {
        state.send(n, n || init, v);
    }
}

impl<T> Segment for RecvEnd<T, false>
where
    T: Copy + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    type Inputs = ();
    type Outputs = Port<T>;
    type State = RecvState<T>;
    fn init(self) -> RecvState<T> {
        self.into_state()
    }
    fn compute<'a, 'b: 'a>(_: (), state: &'b mut RecvState<T>, _: bool) -> (bool, T) {
        let n = state.receive();
        (n, *state.value())
    }
}

impl<T> Segment for RecvEnd<T, true>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    type Inputs = ();
    type Outputs = RefPort<T>;
    type State = RecvState<T>;
    fn init(self) -> RecvState<T> {
        self.into_state()
    }
    fn compute<'a, 'b: 'a>(_: (), state: &'b mut RecvState<T>, _: bool) -> (bool, &'a T) {
        let n = state.receive();
        (n, state.value())
    }
}
