//! The NATS JetStream queue between `sitrep publish`, `sitrep worker` and
//! `sitrep fuse-consumer`.
//!
//! Two streams: reports (subject `sitrep.reports`, stream `SITREP_REPORTS`)
//! and results (subject `sitrep.events`, stream `SITREP_EVENTS`). Every
//! worker pulls from one durable consumer on the reports stream, so each
//! report goes to one worker; it publishes one result per report (carrying
//! the report's stream sequence in the `Sitrep-Report-Seq` header and as
//! its message ID, so a redelivered report does not give a second result
//! within the duplicate window) and only then acknowledges the report. A
//! worker that dies before acknowledging leaves its reports to be
//! redelivered after the ack wait. The fusion consumer pulls results from
//! its own durable consumer.
//!
//! This crate only moves bytes: what a report or a result holds is the
//! CLI's business. The API is blocking (each [`Queue`] owns a small tokio
//! runtime with one thread), so the CLI stays synchronous.
//!
//! Architecture invariant: only the CLI depends on this crate; stage crates
//! and the store know nothing of queues.

use std::time::Duration;

use async_nats::jetstream::{self, consumer::pull, consumer::AckPolicy, stream};
use futures_util::StreamExt;

/// Header carrying the report's sequence number on a result.
pub const REPORT_SEQ_HEADER: &str = "Sitrep-Report-Seq";

/// A queue error: one line, naming what failed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct QueueError(pub String);

type Result<T> = std::result::Result<T, QueueError>;

fn err<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> QueueError + '_ {
    move |e| QueueError(format!("{what}: {e}"))
}

/// Names of the streams, subjects and durable consumers.
#[derive(Debug, Clone)]
pub struct Names {
    pub reports_stream: String,
    pub reports_subject: String,
    pub events_stream: String,
    pub events_subject: String,
    /// The durable pull consumer every worker shares.
    pub workers: String,
    /// The fusion consumer's durable pull consumer.
    pub fuser: String,
}

impl Default for Names {
    fn default() -> Self {
        Names {
            reports_stream: "SITREP_REPORTS".into(),
            reports_subject: "sitrep.reports".into(),
            events_stream: "SITREP_EVENTS".into(),
            events_subject: "sitrep.events".into(),
            workers: "sitrep-workers".into(),
            fuser: "sitrep-fuse".into(),
        }
    }
}

impl Names {
    /// Every name with `prefix` in front (streams upper-cased), for running
    /// several independent pipelines on one server.
    pub fn with_prefix(prefix: &str) -> Names {
        if prefix.is_empty() {
            return Names::default();
        }
        let d = Names::default();
        let up = prefix.to_ascii_uppercase().replace(['.', '-'], "_");
        Names {
            reports_stream: format!("{up}_{}", d.reports_stream),
            reports_subject: format!("{prefix}.{}", d.reports_subject),
            events_stream: format!("{up}_{}", d.events_stream),
            events_subject: format!("{prefix}.{}", d.events_subject),
            workers: format!("{prefix}-{}", d.workers),
            fuser: format!("{prefix}-{}", d.fuser),
        }
    }
}

/// A connection to NATS with both streams in place.
pub struct Queue {
    rt: tokio::runtime::Runtime,
    client: async_nats::Client,
    js: jetstream::Context,
    pub names: Names,
}

/// A message pulled from a stream; [`Queue::ack`] it once handled.
pub struct Delivery {
    /// Its sequence number in its stream.
    pub seq: u64,
    /// How often it was delivered (1 the first time).
    pub delivered: i64,
    /// For a result: the sequence number of the report it answers.
    pub report_seq: Option<u64>,
    pub payload: bytes::Bytes,
    msg: jetstream::Message,
}

/// A durable pull consumer.
pub struct Puller {
    consumer: jetstream::consumer::Consumer<pull::Config>,
}

impl Queue {
    /// Connect to `url` (`nats://127.0.0.1:4222`) and create the streams if
    /// they do not exist yet.
    pub fn connect(url: &str, names: Names) -> Result<Queue> {
        // One background thread keeps the connection alive (pings,
        // flushes) while the caller is busy between calls.
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("sitrep-nats")
            .enable_all()
            .build()
            .map_err(err("starting the NATS client runtime"))?;
        let client = rt
            .block_on(
                async_nats::ConnectOptions::new()
                    .name("sitrep")
                    .connection_timeout(Duration::from_secs(5))
                    .connect(url),
            )
            .map_err(|e| {
                QueueError(format!(
                    "cannot connect to NATS at {url} ({e}); start a server with JetStream \
                     (`nats-server -js`) or pass --nats URL"
                ))
            })?;
        let js = {
            let _in_runtime = rt.enter();
            jetstream::new(client.clone())
        };
        let q = Queue {
            rt,
            client,
            js,
            names,
        };
        q.ensure_streams()?;
        Ok(q)
    }

    fn ensure_streams(&self) -> Result<()> {
        let n = &self.names;
        for (name, subject) in [
            (&n.reports_stream, &n.reports_subject),
            (&n.events_stream, &n.events_subject),
        ] {
            let cfg = stream::Config {
                name: name.clone(),
                subjects: vec![subject.clone()],
                storage: stream::StorageType::File,
                duplicate_window: Duration::from_secs(600),
                ..Default::default()
            };
            self.rt
                .block_on(self.js.get_or_create_stream(cfg))
                .map_err(|e| {
                    QueueError(format!(
                        "cannot create or open stream {name} ({e}); is JetStream enabled (`nats-server -js`)?"
                    ))
                })?;
        }
        Ok(())
    }

    /// The largest message the server accepts, in bytes.
    pub fn max_payload(&self) -> usize {
        self.client.server_info().max_payload
    }

    /// Publish reports in order (pipelined: all sent, then every
    /// acknowledgement awaited). Each gets `id` as its message ID, so
    /// publishing the same report twice within ten minutes stores it once.
    /// Returns each report's stream sequence (or why it was refused), in
    /// input order.
    pub fn publish_reports(&self, items: Vec<(String, Vec<u8>)>) -> Vec<Result<u64>> {
        let subject = self.names.reports_subject.clone();
        self.rt.block_on(async {
            let mut acks = Vec::with_capacity(items.len());
            for (id, payload) in items {
                let p = jetstream::message::PublishMessage::build()
                    .payload(payload.into())
                    .message_id(id);
                acks.push(self.js.send_publish(subject.clone(), p).await);
            }
            let mut out = Vec::with_capacity(acks.len());
            for a in acks {
                out.push(match a {
                    Ok(f) => f
                        .await
                        .map(|ack| ack.sequence)
                        .map_err(err("report not stored")),
                    Err(e) => Err(QueueError(format!("report not sent: {e}"))),
                });
            }
            out
        })
    }

    /// Publish the results of a batch of reports (pipelined: all sent,
    /// then every storage acknowledgement awaited) and only then
    /// acknowledge the reports. Fails on the first result not stored; the
    /// reports not acknowledged are redelivered.
    pub fn complete(&self, done: Vec<(&Delivery, Vec<u8>)>) -> Result<()> {
        let subject = self.names.events_subject.clone();
        self.rt.block_on(async {
            let mut acks = Vec::with_capacity(done.len());
            for (d, payload) in &done {
                let p = jetstream::message::PublishMessage::build()
                    .payload(payload.clone().into())
                    .message_id(format!("result-{}", d.seq))
                    .header(REPORT_SEQ_HEADER, d.seq.to_string().as_str());
                acks.push(
                    self.js
                        .send_publish(subject.clone(), p)
                        .await
                        .map_err(err("sending a result"))?,
                );
            }
            for a in acks {
                a.await.map_err(err("storing a result"))?;
            }
            for (d, _) in &done {
                d.msg
                    .ack()
                    .await
                    .map_err(|e| QueueError(format!("acknowledging report {}: {e}", d.seq)))?;
            }
            Ok(())
        })
    }

    /// The workers' shared durable consumer on the reports stream.
    pub fn workers(&self) -> Result<Puller> {
        let n = &self.names;
        self.puller(&n.reports_stream, &n.workers, Duration::from_secs(60), 2000)
    }

    /// The fusion consumer's durable consumer on the results stream. Its
    /// ack wait is long and its window wide: results are acknowledged only
    /// once applied in report order, which may wait for a slow worker.
    pub fn fuser(&self) -> Result<Puller> {
        let n = &self.names;
        self.puller(&n.events_stream, &n.fuser, Duration::from_secs(600), 20_000)
    }

    fn puller(
        &self,
        stream_name: &str,
        durable: &str,
        ack_wait: Duration,
        max_ack_pending: i64,
    ) -> Result<Puller> {
        self.rt.block_on(async {
            let s = self
                .js
                .get_stream(stream_name)
                .await
                .map_err(err("opening the stream"))?;
            let consumer = s
                .get_or_create_consumer(
                    durable,
                    pull::Config {
                        durable_name: Some(durable.to_string()),
                        ack_policy: AckPolicy::Explicit,
                        ack_wait,
                        max_ack_pending,
                        ..Default::default()
                    },
                )
                .await
                .map_err(err("creating the durable consumer"))?;
            Ok(Puller { consumer })
        })
    }

    /// Up to `max` messages, waiting at most `wait` for the first ones.
    pub fn fetch(&self, p: &Puller, max: usize, wait: Duration) -> Result<Vec<Delivery>> {
        self.rt.block_on(async {
            let mut batch = p
                .consumer
                .batch()
                .max_messages(max)
                .expires(wait)
                .messages()
                .await
                .map_err(err("pulling messages"))?;
            let mut out = Vec::new();
            while let Some(m) = batch.next().await {
                let msg = m.map_err(err("receiving a message"))?;
                let info = msg.info().map_err(err("reading message metadata"))?;
                let (seq, delivered) = (info.stream_sequence, info.delivered);
                let report_seq = msg
                    .headers
                    .as_ref()
                    .and_then(|h| h.get(REPORT_SEQ_HEADER))
                    .and_then(|v| v.as_str().parse().ok());
                out.push(Delivery {
                    seq,
                    delivered,
                    report_seq,
                    payload: msg.payload.clone(),
                    msg,
                });
            }
            Ok(out)
        })
    }

    /// Acknowledge a handled message (the server forgets it for this
    /// consumer).
    pub fn ack(&self, d: &Delivery) -> Result<()> {
        self.rt
            .block_on(d.msg.ack())
            .map_err(|e| QueueError(format!("acknowledging message {}: {e}", d.seq)))
    }

    /// The reports stream's first and last sequence numbers (`first >
    /// last` when it is empty).
    pub fn reports_range(&self) -> Result<(u64, u64)> {
        self.rt.block_on(async {
            let mut s = self
                .js
                .get_stream(&self.names.reports_stream)
                .await
                .map_err(err("opening the reports stream"))?;
            let info = s.info().await.map_err(err("reading the reports stream"))?;
            Ok((info.state.first_sequence, info.state.last_sequence))
        })
    }

    /// Is report `seq` still in the reports stream (not deleted or purged)?
    pub fn report_exists(&self, seq: u64) -> Result<bool> {
        self.rt.block_on(async {
            let s = self
                .js
                .get_stream(&self.names.reports_stream)
                .await
                .map_err(err("opening the reports stream"))?;
            match s.get_raw_message(seq).await {
                Ok(_) => Ok(true),
                Err(e) if e.kind() == stream::RawMessageErrorKind::NoMessageFound => Ok(false),
                Err(e) => Err(QueueError(format!("looking up report {seq}: {e}"))),
            }
        })
    }

    /// Flush what is buffered and close the connection.
    pub fn close(self) {
        let _ = self.rt.block_on(self.client.flush());
    }
}
