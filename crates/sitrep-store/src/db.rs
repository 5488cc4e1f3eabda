//! The one place that knows which database is underneath: SQLite (through
//! rusqlite) or PostgreSQL (through the synchronous `postgres` client).
//!
//! The rest of the crate writes its SQL once, in the dialect both servers
//! accept, and talks to a [`Db`] with a small rusqlite-shaped API
//! (`execute`, `query_row`, `query_map`, `prepare_cached`, `transaction`).
//! Values cross the boundary in SQLite's five storage classes: parameters
//! are anything that implements rusqlite's `ToSql` (so `params![…]` works
//! for both backends) and columns are read with rusqlite's `FromSql`. What
//! differs between the two servers is handled here and nowhere else:
//!
//! - placeholders: `?NNN` and bare `?` become `$NNN` and `$1, $2, …`
//!   ([`postgres_sql`]);
//! - `instr(haystack, needle)` becomes `strpos(haystack, needle)`;
//! - types: an integer parameter is sent as whatever PostgreSQL inferred
//!   for its placeholder (`BIGINT`, `INTEGER`, `BOOLEAN`, …), and `BOOLEAN`,
//!   `INTEGER` and `REAL` columns come back as SQLite integers and reals;
//! - the schema's auto-increment keys and byte strings
//!   ([`crate::migrate::Dialect`]);
//! - connection setup (SQLite PRAGMAs; PostgreSQL's schema and lock key);
//! - writers: SQLite lets one writer in at a time; on PostgreSQL every
//!   write transaction takes an advisory lock on the schema, so batches are
//!   applied one after the other exactly as in SQLite (near-duplicates
//!   point to the earliest-ingested copy whoever runs concurrently).
//!
//! Everything else (`INSERT … RETURNING`, `ON CONFLICT DO NOTHING`,
//! `NULLS FIRST`, `COALESCE`, `substr`, `lower`) is SQL both accept.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Deref;
use std::time::Duration;

use bytes::BytesMut;
use postgres::types::{IsNull, Type as PgType};
use rusqlite::types::{FromSql, FromSqlError, ToSql, ToSqlOutput, Type, Value, ValueRef};

use crate::migrate::{Dialect, POSTGRES, SQLITE};
use crate::{Result, StoreError};

/// Which database server a store lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// How this backend spells the types the shared migrations leave open.
    pub fn dialect(self) -> Dialect {
        match self {
            Backend::Sqlite => SQLITE,
            Backend::Postgres => POSTGRES,
        }
    }
}

/// Whether `location` (a `--db` value) names a PostgreSQL database rather
/// than an SQLite file.
pub fn is_postgres_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// `location` fit for messages: a PostgreSQL URL without its password.
pub fn redact(location: &str) -> String {
    if !is_postgres_url(location) {
        return location.to_string();
    }
    let (scheme, rest) = location.split_once("://").unwrap_or(("", location));
    let auth_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (auth, tail) = rest.split_at(auth_end);
    match auth.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _password)) => format!("{scheme}://{name}:***@{host}{tail}"),
            None => location.to_string(),
        },
        None => location.to_string(),
    }
}

/// An open connection to either backend.
pub(crate) enum Db {
    Sqlite(rusqlite::Connection),
    Postgres(Box<RefCell<Pg>>),
}

pub(crate) struct Pg {
    client: postgres::Client,
    /// Prepared statements by their shared-dialect SQL.
    statements: HashMap<String, postgres::Statement>,
    /// Advisory lock key of this schema: writers take it in turn.
    lock_key: i64,
}

fn pg_err(e: postgres::Error) -> StoreError {
    StoreError::Postgres(e)
}

impl Db {
    /// Connect to a PostgreSQL URL (`postgres://user:password@host:port/db`,
    /// libpq parameters such as `options=-csearch_path%3Dname` accepted).
    pub(crate) fn connect_postgres(url: &str) -> Result<Db> {
        let open_err = |detail: String| StoreError::OpenPostgres {
            url: redact(url),
            detail,
        };
        let mut cfg: postgres::Config = url.parse().map_err(|e| open_err(format!("{e}")))?;
        if cfg.get_connect_timeout().is_none() {
            cfg.connect_timeout(Duration::from_secs(10));
        }
        let mut client = cfg.connect(postgres::NoTls).map_err(|e| {
            let mut detail = e.to_string();
            if let Some(db) = e.as_db_error() {
                detail = format!("{}: {}", db.code().code(), db.message());
            } else {
                // "error connecting to server: Connection refused (os error 111)"
                let mut cause = std::error::Error::source(&e);
                while let Some(c) = cause {
                    detail.push_str(&format!(": {c}"));
                    cause = c.source();
                }
            }
            if detail.contains("TLS") || detail.contains("tls") {
                detail.push_str(
                    " (sitrep connects without TLS: use a local socket, a loopback address \
                     or a tunnel, and leave sslmode unset or at `prefer`)",
                );
            }
            open_err(detail)
        })?;
        let schema: Option<String> = client
            .query_one("SELECT current_schema()", &[])
            .map_err(pg_err)?
            .get(0);
        let Some(schema) = schema else {
            return Err(open_err(
                "no schema to create tables in: none of the schemas on the search_path \
                 exists; create one, or pass options=-csearch_path%3DNAME in the URL"
                    .into(),
            ));
        };
        let h = blake3::hash(format!("sitrep store {schema}").as_bytes());
        let mut k = [0u8; 8];
        k.copy_from_slice(&h.as_bytes()[..8]);
        Ok(Db::Postgres(Box::new(RefCell::new(Pg {
            client,
            statements: HashMap::new(),
            lock_key: i64::from_le_bytes(k),
        }))))
    }

    pub(crate) fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Run `sql` (several statements, no parameters).
    pub(crate) fn execute_batch(&self, sql: &str) -> Result<()> {
        match self {
            Db::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Db::Postgres(p) => p.borrow_mut().client.batch_execute(sql).map_err(pg_err),
        }
    }

    /// Run one statement; the number of rows it changed.
    pub(crate) fn execute<A: Args>(&self, sql: &str, args: A) -> Result<usize> {
        let refs = args.refs();
        match self {
            Db::Sqlite(c) => Ok(c.prepare_cached(sql)?.execute(&refs[..])?),
            Db::Postgres(p) => {
                let args = pg_args(&refs)?;
                let mut p = p.borrow_mut();
                let st = p.statement(sql)?;
                let n = p.client.execute(&st, &pg_refs(&args)).map_err(pg_err)?;
                Ok(n as usize)
            }
        }
    }

    /// The first row of a query, mapped by `f`; an error when there is none
    /// (see [`OptionalExtension`]).
    pub(crate) fn query_row<A, T, F>(&self, sql: &str, args: A, f: F) -> Result<T>
    where
        A: Args,
        F: FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    {
        let refs = args.refs();
        match self {
            Db::Sqlite(c) => Ok(c
                .prepare_cached(sql)?
                .query_row(&refs[..], |r| f(&Row::Sqlite(r)))?),
            Db::Postgres(_) => {
                let rows = self.pg_query(sql, &refs)?;
                match rows.first() {
                    Some(r) => Ok(f(&Row::Pg(r))?),
                    None => Err(rusqlite::Error::QueryReturnedNoRows.into()),
                }
            }
        }
    }

    /// Every row of a query, mapped by `f`.
    pub(crate) fn query_map<A, T, F>(&self, sql: &str, args: A, mut f: F) -> Result<Rows<T>>
    where
        A: Args,
        F: FnMut(&Row<'_>) -> rusqlite::Result<T>,
    {
        let refs = args.refs();
        match self {
            Db::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                let out: Vec<rusqlite::Result<T>> =
                    st.query_map(&refs[..], |r| f(&Row::Sqlite(r)))?.collect();
                Ok(out.into_iter())
            }
            Db::Postgres(_) => {
                let rows = self.pg_query(sql, &refs)?;
                let out: Vec<rusqlite::Result<T>> = rows.iter().map(|r| f(&Row::Pg(r))).collect();
                Ok(out.into_iter())
            }
        }
    }

    /// Like [`Db::query_map`], but on PostgreSQL planned afresh for these
    /// values and the tables as they are now, never from a cached plan.
    ///
    /// For lookups whose best plan depends on how big a table is: a
    /// prepared statement's generic plan is made once, after five runs,
    /// and kept until the next `ANALYZE`. Made while a new store is nearly
    /// empty it is a sequential scan, and it stays one while the table
    /// grows (the near-duplicate band lookup went from 0.05 ms to 20 ms a
    /// document over the first 3,000 documents of a fresh schema).
    /// Parameters are sent typed by their value (integer `BIGINT`, real
    /// `DOUBLE PRECISION`, text `TEXT`, bytes `BYTEA`), in one round trip.
    pub(crate) fn query_map_replanned<A, T, F>(
        &self,
        sql: &str,
        args: A,
        mut f: F,
    ) -> Result<Rows<T>>
    where
        A: Args,
        F: FnMut(&Row<'_>) -> rusqlite::Result<T>,
    {
        let Db::Postgres(p) = self else {
            return self.query_map(sql, args, f);
        };
        let refs = args.refs();
        let args = pg_args(&refs)?;
        let typed: Vec<(&(dyn postgres::types::ToSql + Sync), PgType)> = args
            .iter()
            .map(|a| {
                let ty = match a.value() {
                    ValueRef::Integer(_) => PgType::INT8,
                    ValueRef::Real(_) => PgType::FLOAT8,
                    ValueRef::Blob(_) => PgType::BYTEA,
                    ValueRef::Text(_) | ValueRef::Null => PgType::TEXT,
                };
                (a as &(dyn postgres::types::ToSql + Sync), ty)
            })
            .collect();
        let rows = p
            .borrow_mut()
            .client
            .query_typed(&postgres_sql(sql), &typed)
            .map_err(pg_err)?;
        let out: Vec<rusqlite::Result<T>> = rows.iter().map(|r| f(&Row::Pg(r))).collect();
        Ok(out.into_iter())
    }

    fn pg_query(&self, sql: &str, refs: &[&dyn ToSql]) -> Result<Vec<postgres::Row>> {
        let Db::Postgres(p) = self else {
            unreachable!("pg_query on SQLite")
        };
        let args = pg_args(refs)?;
        let mut p = p.borrow_mut();
        let st = p.statement(sql)?;
        p.client.query(&st, &pg_refs(&args)).map_err(pg_err)
    }

    /// A statement to run repeatedly (both backends cache the prepared
    /// statement by its SQL).
    pub(crate) fn prepare_cached(&self, sql: &str) -> Result<Stmt<'_>> {
        Ok(Stmt {
            db: self,
            sql: sql.to_string(),
        })
    }

    /// Same as [`Db::prepare_cached`].
    pub(crate) fn prepare(&self, sql: &str) -> Result<Stmt<'_>> {
        self.prepare_cached(sql)
    }

    /// Begin a write transaction; it rolls back unless committed. On
    /// PostgreSQL it first waits for the schema's writer lock.
    pub(crate) fn transaction(&self) -> Result<Tx<'_>> {
        // SQLite: IMMEDIATE takes the writer lock now (waiting out the busy
        // timeout), so what the transaction reads cannot change before it
        // writes, and a reader never fails to upgrade to a writer.
        self.execute_batch(match self {
            Db::Sqlite(_) => "BEGIN IMMEDIATE",
            Db::Postgres(_) => "BEGIN",
        })?;
        let tx = Tx {
            db: self,
            done: false,
        };
        if let Db::Postgres(p) = self {
            let key = p.borrow().lock_key;
            tx.query_row("SELECT pg_advisory_xact_lock(?1)", [key], |_| Ok(()))?;
        }
        Ok(tx)
    }

    /// A read-only snapshot: every query until it is dropped sees the
    /// database as of its first read (SQLite: a deferred transaction;
    /// PostgreSQL: `REPEATABLE READ`). It takes no writer lock.
    pub(crate) fn read_snapshot(&self) -> Result<Tx<'_>> {
        self.execute_batch(match self {
            Db::Sqlite(_) => "BEGIN",
            Db::Postgres(_) => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        })?;
        Ok(Tx {
            db: self,
            done: false,
        })
    }

    /// Hold the schema's writer lock for the whole of `f` (migrations on
    /// PostgreSQL, so that two processes opening a new database do not
    /// both create it). SQLite's own locking does this per transaction.
    pub(crate) fn exclusive<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let Db::Postgres(p) = self else {
            return f();
        };
        let key = p.borrow().lock_key;
        self.query_row("SELECT pg_advisory_lock(?1)", [key], |_| Ok(()))?;
        let out = f();
        let unlocked = self.query_row("SELECT pg_advisory_unlock(?1)", [key], |r| {
            r.get::<_, bool>(0)
        });
        let out = out?;
        unlocked?;
        Ok(out)
    }
}

impl Pg {
    fn statement(&mut self, sql: &str) -> Result<postgres::Statement> {
        if let Some(st) = self.statements.get(sql) {
            return Ok(st.clone());
        }
        let st = self.client.prepare(&postgres_sql(sql)).map_err(pg_err)?;
        self.statements.insert(sql.to_string(), st.clone());
        Ok(st)
    }
}

/// The rows of a query, already read.
pub(crate) type Rows<T> = std::vec::IntoIter<rusqlite::Result<T>>;

/// A statement bound to its connection (see [`Db::prepare_cached`]).
pub(crate) struct Stmt<'a> {
    db: &'a Db,
    sql: String,
}

impl Stmt<'_> {
    pub(crate) fn execute<A: Args>(&mut self, args: A) -> Result<usize> {
        self.db.execute(&self.sql, args)
    }

    pub(crate) fn query_row<A, T, F>(&mut self, args: A, f: F) -> Result<T>
    where
        A: Args,
        F: FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    {
        self.db.query_row(&self.sql, args, f)
    }

    pub(crate) fn query_map<A, T, F>(&mut self, args: A, f: F) -> Result<Rows<T>>
    where
        A: Args,
        F: FnMut(&Row<'_>) -> rusqlite::Result<T>,
    {
        self.db.query_map(&self.sql, args, f)
    }
}

/// A write transaction: rolled back when dropped uncommitted.
pub(crate) struct Tx<'a> {
    db: &'a Db,
    done: bool,
}

impl Tx<'_> {
    pub(crate) fn commit(mut self) -> Result<()> {
        self.db.execute_batch("COMMIT")?;
        self.done = true;
        Ok(())
    }
}

impl Deref for Tx<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.db.execute_batch("ROLLBACK");
        }
    }
}

/// `Ok(None)` for a query that returned no row.
pub(crate) trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(StoreError::Sql(rusqlite::Error::QueryReturnedNoRows)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Statement parameters: `params![…]`, an array of values, or a `Vec`.
pub(crate) trait Args {
    fn refs(&self) -> Vec<&dyn ToSql>;
}

impl Args for &[&dyn ToSql] {
    fn refs(&self) -> Vec<&dyn ToSql> {
        self.to_vec()
    }
}

impl Args for [&(dyn ToSql + Send + Sync); 0] {
    fn refs(&self) -> Vec<&dyn ToSql> {
        Vec::new()
    }
}

impl<T: ToSql> Args for Vec<T> {
    fn refs(&self) -> Vec<&dyn ToSql> {
        self.iter().map(|x| x as &dyn ToSql).collect()
    }
}

macro_rules! array_args {
    ($($n:literal)*) => {$(
        impl<T: ToSql> Args for [T; $n] {
            fn refs(&self) -> Vec<&dyn ToSql> {
                self.iter().map(|x| x as &dyn ToSql).collect()
            }
        }
    )*};
}
array_args!(1 2 3 4);

/// A row of either backend; columns are read with rusqlite's `FromSql`.
pub(crate) enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Pg(&'a postgres::Row),
}

/// A column position (the first column is 0).
pub(crate) trait ColumnIndex {
    fn index(self) -> usize;
}

impl ColumnIndex for usize {
    fn index(self) -> usize {
        self
    }
}

impl Row<'_> {
    pub(crate) fn get<I: ColumnIndex, T: FromSql>(&self, idx: I) -> rusqlite::Result<T> {
        let i = idx.index();
        match self {
            Row::Sqlite(r) => r.get(i),
            Row::Pg(r) => {
                if i >= r.len() {
                    return Err(rusqlite::Error::InvalidColumnIndex(i));
                }
                let v: PgValue<'_> = r.try_get(i).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(i, Type::Null, e.into())
                })?;
                let ty = v.0.data_type();
                T::column_result(v.0).map_err(|err| match err {
                    FromSqlError::InvalidType => {
                        rusqlite::Error::InvalidColumnType(i, r.columns()[i].name().into(), ty)
                    }
                    FromSqlError::OutOfRange(n) => rusqlite::Error::IntegralValueOutOfRange(i, n),
                    FromSqlError::Other(e) => rusqlite::Error::FromSqlConversionFailure(i, ty, e),
                    other => rusqlite::Error::FromSqlConversionFailure(i, ty, Box::new(other)),
                })
            }
        }
    }
}

/// A PostgreSQL column as an SQLite value (text and bytes borrowed).
struct PgValue<'a>(ValueRef<'a>);

impl<'a> postgres::types::FromSql<'a> for PgValue<'a> {
    fn from_sql(
        ty: &PgType,
        raw: &'a [u8],
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::FromSql as F;
        Ok(PgValue(match *ty {
            PgType::BOOL => ValueRef::Integer(i64::from(bool::from_sql(ty, raw)?)),
            PgType::INT2 => ValueRef::Integer(i64::from(i16::from_sql(ty, raw)?)),
            PgType::INT4 => ValueRef::Integer(i64::from(i32::from_sql(ty, raw)?)),
            PgType::INT8 => ValueRef::Integer(i64::from_sql(ty, raw)?),
            PgType::FLOAT4 => ValueRef::Real(f64::from(f32::from_sql(ty, raw)?)),
            PgType::FLOAT8 => ValueRef::Real(f64::from_sql(ty, raw)?),
            PgType::TEXT | PgType::VARCHAR | PgType::BPCHAR | PgType::NAME | PgType::UNKNOWN => {
                ValueRef::Text(<&str as F>::from_sql(ty, raw)?.as_bytes())
            }
            PgType::BYTEA => ValueRef::Blob(raw),
            _ => return Err(format!("column of type {ty}, which sitrep does not read").into()),
        }))
    }

    fn from_sql_null(
        _: &PgType,
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(PgValue(ValueRef::Null))
    }

    fn accepts(_: &PgType) -> bool {
        true
    }
}

type BoxError = Box<dyn std::error::Error + Sync + Send>;

fn put<T: postgres::types::ToSql>(
    v: T,
    ty: &PgType,
    out: &mut BytesMut,
) -> std::result::Result<IsNull, BoxError> {
    postgres::types::ToSql::to_sql(&v, ty, out)
}

/// A parameter for PostgreSQL, sent as the type the server inferred for
/// its placeholder.
#[derive(Debug)]
enum PgArg<'a> {
    Borrowed(ValueRef<'a>),
    Owned(Value),
}

impl PgArg<'_> {
    fn value(&self) -> ValueRef<'_> {
        match self {
            PgArg::Borrowed(v) => *v,
            PgArg::Owned(v) => ValueRef::from(v),
        }
    }
}

fn pg_args<'a>(refs: &'a [&'a dyn ToSql]) -> Result<Vec<PgArg<'a>>> {
    refs.iter()
        .map(|r| match r.to_sql()? {
            ToSqlOutput::Borrowed(v) => Ok(PgArg::Borrowed(v)),
            ToSqlOutput::Owned(v) => Ok(PgArg::Owned(v)),
            _ => Err(rusqlite::Error::ToSqlConversionFailure(
                "a parameter kind PostgreSQL cannot take".into(),
            )
            .into()),
        })
        .collect()
}

fn pg_refs<'a>(args: &'a [PgArg<'_>]) -> Vec<&'a (dyn postgres::types::ToSql + Sync)> {
    args.iter()
        .map(|a| a as &(dyn postgres::types::ToSql + Sync))
        .collect()
}

impl postgres::types::ToSql for PgArg<'_> {
    fn to_sql(
        &self,
        ty: &PgType,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        let v = self.value();
        let texty = matches!(
            *ty,
            PgType::TEXT | PgType::VARCHAR | PgType::BPCHAR | PgType::NAME | PgType::UNKNOWN
        );
        match v {
            ValueRef::Null => Ok(IsNull::Yes),
            ValueRef::Integer(i) => match *ty {
                PgType::INT8 => put(i, ty, out),
                PgType::INT4 => put(i32::try_from(i)?, ty, out),
                PgType::INT2 => put(i16::try_from(i)?, ty, out),
                PgType::BOOL => put(i != 0, ty, out),
                PgType::FLOAT8 => put(i as f64, ty, out),
                PgType::FLOAT4 => put(i as f32, ty, out),
                _ if texty => put(i.to_string().as_str(), ty, out),
                _ => Err(format!("integer {i} given for a {ty} parameter").into()),
            },
            ValueRef::Real(f) => match *ty {
                PgType::FLOAT8 => put(f, ty, out),
                PgType::FLOAT4 => put(f as f32, ty, out),
                _ if texty => put(f.to_string().as_str(), ty, out),
                _ => Err(format!("real {f} given for a {ty} parameter").into()),
            },
            ValueRef::Text(b) => {
                let s = std::str::from_utf8(b)?;
                if !texty {
                    return Err(format!("text given for a {ty} parameter").into());
                }
                if s.contains('\0') {
                    return Err(
                        "text with a NUL character (U+0000), which PostgreSQL cannot store".into(),
                    );
                }
                put(s, ty, out)
            }
            ValueRef::Blob(b) => match *ty {
                PgType::BYTEA => put(b, ty, out),
                _ => Err(format!("bytes given for a {ty} parameter").into()),
            },
        }
    }

    fn accepts(_: &PgType) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// The shared-dialect SQL `sql` as PostgreSQL wants it: `?NNN` → `$NNN`,
/// bare `?` → `$1`, `$2`, … in order, `instr(` → `strpos(`. String
/// literals, quoted names and `--` comments are left alone.
pub fn postgres_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.char_indices().peekable();
    let mut next_bare = 1;
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                for (_, d) in chars.by_ref() {
                    out.push(d);
                    if d == c {
                        break;
                    }
                }
            }
            '-' if sql[i + 1..].starts_with('-') => {
                out.push(c);
                for (_, d) in chars.by_ref() {
                    out.push(d);
                    if d == '\n' {
                        break;
                    }
                }
            }
            '?' => {
                let mut digits = String::new();
                while let Some(&(_, d)) = chars.peek() {
                    if !d.is_ascii_digit() {
                        break;
                    }
                    digits.push(d);
                    chars.next();
                }
                out.push('$');
                if digits.is_empty() {
                    out.push_str(&next_bare.to_string());
                    next_bare += 1;
                } else {
                    out.push_str(&digits);
                }
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if !(d.is_ascii_alphanumeric() || d == '_') {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
                let word = &sql[i..end];
                if word.eq_ignore_ascii_case("instr") && sql[end..].trim_start().starts_with('(') {
                    out.push_str("strpos");
                } else {
                    out.push_str(word);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_functions_become_postgres() {
        assert_eq!(
            postgres_sql("SELECT a FROM t WHERE b = ?1 AND c = ?12 OR instr(d, lower(?1)) > 0"),
            "SELECT a FROM t WHERE b = $1 AND c = $12 OR strpos(d, lower($1)) > 0"
        );
        assert_eq!(
            postgres_sql("UPDATE t SET a = ? WHERE b >= ? AND c <= ?"),
            "UPDATE t SET a = $1 WHERE b >= $2 AND c <= $3"
        );
        // Literals, quoted names and comments are not SQL to rewrite.
        assert_eq!(
            postgres_sql(
                "SELECT 'is it?', \"instr\" -- why?\nFROM t WHERE x = ? AND instruction = 1"
            ),
            "SELECT 'is it?', \"instr\" -- why?\nFROM t WHERE x = $1 AND instruction = 1"
        );
        assert_eq!(postgres_sql("SELECT 'é?' || ?"), "SELECT 'é?' || $1");
    }

    #[test]
    fn passwords_are_kept_out_of_messages() {
        assert_eq!(
            redact("postgres://ana:s3cret@db.example:5432/sitrep?options=x"),
            "postgres://ana:***@db.example:5432/sitrep?options=x"
        );
        assert_eq!(
            redact("postgresql://ana@localhost/sitrep"),
            "postgresql://ana@localhost/sitrep"
        );
        assert_eq!(redact("data/sitrep.db"), "data/sitrep.db");
        assert!(is_postgres_url("postgresql://x/y"));
        assert!(!is_postgres_url("postgres.db"));
    }

    /// A lookup shaped like the near-duplicate band query of
    /// `write_fingerprint`.
    const BAND_LOOKUP: &str = "SELECT DISTINCT document_id FROM lookup_test
         WHERE document_id < ?1 AND ((band = ?2 AND band_key = ?3) OR (band = ?4 AND band_key = ?5))";

    fn replanned_lookup_on(db: &crate::testing::TestDb) {
        let store = db.open();
        let c = &store.conn;
        c.execute_batch(
            "CREATE TABLE lookup_test (band BIGINT NOT NULL, band_key BIGINT NOT NULL,
                 document_id BIGINT NOT NULL, PRIMARY KEY (band, band_key, document_id))",
        )
        .unwrap();
        let args = || {
            vec![
                Value::Integer(1_500),
                Value::Integer(0),
                Value::Integer(14),
                Value::Integer(3),
                Value::Integer(10),
            ]
        };
        let ids = |rows: Rows<i64>| {
            let mut v: Vec<i64> = rows.map(|r| r.unwrap()).collect();
            v.sort();
            v
        };
        // Run the prepared form on the empty table, as a new store does.
        for _ in 0..8 {
            assert!(ids(c.query_map(BAND_LOOKUP, args(), |r| r.get(0)).unwrap()).is_empty());
        }
        // 2,000 documents × 8 bands; each (band, key) names 4 documents.
        c.execute_batch(
            "INSERT INTO lookup_test (band, band_key, document_id)
             WITH RECURSIVE n(d) AS (SELECT 1 UNION ALL SELECT d + 1 FROM n WHERE d < 2000),
                 b(band) AS (SELECT 0 UNION ALL SELECT band + 1 FROM b WHERE band < 7)
             SELECT band, (d * 7 + band) % 500, d FROM n, b",
        )
        .unwrap();
        let expect: Vec<i64> = (1..1_500)
            .filter(|d| (d * 7) % 500 == 14 || (d * 7 + 3) % 500 == 10)
            .collect();
        assert_eq!(expect.len(), 6);
        let prepared = ids(c.query_map(BAND_LOOKUP, args(), |r| r.get(0)).unwrap());
        let replanned = ids(c
            .query_map_replanned(BAND_LOOKUP, args(), |r| r.get(0))
            .unwrap());
        assert_eq!(prepared, expect);
        assert_eq!(replanned, expect);
        // Text, real, bytes and NULL parameters are typed by their value.
        let row: Vec<(String, f64, Vec<u8>, Option<String>)> = c
            .query_map_replanned(
                "SELECT CAST(?1 AS TEXT), CAST(?2 AS DOUBLE PRECISION), ?3, CAST(?4 AS TEXT)",
                vec![
                    Value::Text("é".into()),
                    Value::Real(2.5),
                    Value::Blob(vec![0, 1, 255]),
                    Value::Null,
                ],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(row, vec![("é".into(), 2.5, vec![0, 1, 255], None)]);
        if db.backend() == Backend::Postgres {
            // Planned for the table as it is now (16,000 rows, never
            // analysed): the primary key, not the sequential scan a plan
            // made while the table was empty would keep.
            let plan: Vec<String> = c
                .query_map_replanned(&format!("EXPLAIN {BAND_LOOKUP}"), args(), |r| r.get(0))
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            let plan = plan.join("\n");
            assert!(plan.contains("lookup_test_pkey"), "{plan}");
            assert!(!plan.contains("Seq Scan"), "{plan}");
        }
    }

    #[test]
    fn replanned_lookup_sqlite() {
        replanned_lookup_on(&crate::testing::TestDb::sqlite());
    }

    #[test]
    fn replanned_lookup_postgres() {
        if let Some(db) = crate::testing::TestDb::postgres() {
            replanned_lookup_on(&db);
        }
    }
}
