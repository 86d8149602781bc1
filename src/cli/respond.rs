//! `glossator respond` (the comment service) and `glossator comments`
//! (moderation from the terminal).

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand};

use super::Verbosity;
use super::serve::Terminal;
use crate::respond::limit::Proxies;
use crate::respond::store::{self, Queued, Status, Store};
use crate::respond::{RespondOptions, respond};

#[derive(Debug, Args)]
pub struct RespondArgs {
    /// Address to listen on (keep 127.0.0.1 behind a web server).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    #[arg(long, default_value_t = 7011)]
    pub port: u16,
    /// A proxy whose X-Forwarded-For is believed (address or network;
    /// repeat for several). Without it every client is its peer address.
    #[arg(long = "trusted-proxy", value_name = "ADDR")]
    pub trusted_proxy: Vec<String>,
    /// Comments one client may send an hour, after a burst of --burst
    /// (0: no limit).
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub rate: u32,
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub burst: u32,
    /// Largest comment request accepted, in KB.
    #[arg(long, default_value_t = 64, value_name = "KB")]
    pub max_kb: usize,
    /// Where rebuilds write [default: <root>/public].
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Fetch webmention sources on private and local addresses too (for
    /// tests and private networks).
    #[arg(long)]
    pub allow_private_sources: bool,
    /// Seconds fetching a webmention's source may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub source_timeout: f64,
    /// Seconds a connection may take to send its headers or sit idle.
    #[arg(long, value_name = "SECONDS", default_value_t = 15.0, hide = true)]
    pub timeout: f64,
}

impl RespondArgs {
    pub fn run(self, root: &Path, verbosity: Verbosity) -> anyhow::Result<ExitCode> {
        let proxies = match Proxies::parse(&self.trusted_proxy) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("error: --trusted-proxy {e}");
                return Ok(ExitCode::from(2));
            }
        };
        let options = RespondOptions {
            root: root.to_path_buf(),
            output: self.output,
            bind: self.bind,
            port: self.port,
            proxies,
            per_hour: self.rate,
            burst: self.burst,
            max_request: self.max_kb.max(1) * 1024,
            allow_private_sources: self.allow_private_sources,
            source_timeout: Duration::from_secs_f64(self.source_timeout.clamp(0.1, 120.0)),
            timeout: Duration::from_secs_f64(self.timeout.max(0.1)),
        };
        let reporter = Arc::new(Terminal {
            shown_root: root.to_path_buf(),
            verbosity,
        });
        respond(options, reporter)?;
        Ok(ExitCode::SUCCESS)
    }
}

#[derive(Debug, Args)]
pub struct CommentsArgs {
    #[command(subcommand)]
    pub action: CommentsAction,
}

#[derive(Debug, Subcommand)]
pub enum CommentsAction {
    /// Comments waiting for you (with --all, every one received).
    List {
        #[arg(long)]
        all: bool,
        /// Only the comments held as spam.
        #[arg(long, conflicts_with = "all")]
        spam: bool,
    },
    /// One comment in full, with its private details.
    Show { id: String },
    /// Publish comments: writes each as a comment file, then rebuilds.
    Approve {
        #[arg(required = true)]
        ids: Vec<String>,
        /// Write the comment files but do not rebuild the site.
        #[arg(long)]
        no_build: bool,
        /// Where the rebuild writes [default: <root>/public].
        #[arg(short, long, value_name = "DIR")]
        output: Option<PathBuf>,
    },
    /// Turn comments down (kept in the queue, never published).
    Reject {
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Mark comments as spam.
    Spam {
        #[arg(required = true)]
        ids: Vec<String>,
    },
}

/// A visitor's text on one terminal line, at most `most` characters.
fn one_line(text: &str, most: usize) -> String {
    let flat = crate::respond::form::one_line(text);
    if flat.chars().count() > most {
        format!("{}…", flat.chars().take(most).collect::<String>())
    } else {
        flat
    }
}

fn show(q: &Queued) {
    println!("id:      {}", q.id);
    println!("status:  {}", q.status.name());
    if let Some(r) = &q.reason {
        println!("held:    {r}");
    }
    println!("post:    {} ({})", q.post, q.post_url);
    if let Some(p) = &q.parent {
        println!("replies: {p}");
    }
    println!("author:  {}", one_line(&q.author, 200));
    if let Some(e) = &q.email {
        println!("email:   {} (private)", one_line(e, 254));
    }
    if let Some(u) = &q.url {
        println!("website: {}", one_line(u, 500));
    }
    println!("date:    {}", q.date);
    println!("from:    {}", q.client);
    println!();
    for line in q.body.lines() {
        let clean: String = line
            .chars()
            .filter(|c| !c.is_control() || *c == '\t')
            .collect();
        println!("  {clean}");
    }
}

impl CommentsArgs {
    pub fn run(self, root: &Path, verbosity: Verbosity) -> anyhow::Result<ExitCode> {
        let store = Store::open(root)?;
        match self.action {
            CommentsAction::List { all, spam } => {
                let (entries, damaged) = store.all()?;
                for d in damaged {
                    eprintln!("warning: skipping a damaged queue file: {d}");
                }
                let shown: Vec<&Queued> = entries
                    .iter()
                    .filter(|q| {
                        all || (spam && q.status == Status::Spam)
                            || (!spam && q.status == Status::Pending)
                    })
                    .collect();
                if shown.is_empty() && verbosity != Verbosity::Quiet {
                    eprintln!(
                        "No {} comments.",
                        if all {
                            "received"
                        } else if spam {
                            "spam"
                        } else {
                            "waiting"
                        }
                    );
                }
                for q in shown {
                    println!(
                        "{}  {:<8}  {}  {}  on {}: {}",
                        q.id,
                        q.status.name(),
                        q.date.get(..16).unwrap_or(&q.date),
                        one_line(&q.author, 30),
                        q.post,
                        one_line(&q.body, 60)
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            CommentsAction::Show { id } => {
                show(&store.get(&id)?);
                Ok(ExitCode::SUCCESS)
            }
            CommentsAction::Reject { ids } => mark(&store, &ids, Status::Rejected, verbosity),
            CommentsAction::Spam { ids } => mark(&store, &ids, Status::Spam, verbosity),
            CommentsAction::Approve {
                ids,
                no_build,
                output,
            } => {
                let mut entries = Vec::new();
                for id in &ids {
                    entries.push(store.get(id)?);
                }
                for mut q in entries {
                    let path = store::publish(root, &store, &mut q)?;
                    if verbosity != Verbosity::Quiet {
                        println!(
                            "Approved {} from {}: {}",
                            q.id,
                            one_line(&q.author, 60),
                            path.display()
                        );
                    }
                }
                if no_build {
                    return Ok(ExitCode::SUCCESS);
                }
                let build = super::build::BuildArgs {
                    drafts: false,
                    future: false,
                    base_url: None,
                    output,
                    force: false,
                };
                build.run(root, verbosity)
            }
        }
    }
}

fn mark(
    store: &Store,
    ids: &[String],
    status: Status,
    verbosity: Verbosity,
) -> anyhow::Result<ExitCode> {
    let mut entries = Vec::new();
    for id in ids {
        entries.push(store.get(id)?);
    }
    for mut q in entries {
        if q.status == Status::Approved {
            eprintln!(
                "note: {} is already published; delete content/comments/{}/{}.md to take it down",
                q.id, q.post, q.id
            );
        }
        q.status = status;
        store.save(&q)?;
        if verbosity != Verbosity::Quiet {
            println!("Marked {} as {}.", q.id, status.name());
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct WebmentionArgs {
    #[command(subcommand)]
    pub action: WebmentionAction,
}

#[derive(Debug, Subcommand)]
pub enum WebmentionAction {
    /// Notify the pages your posts link to (only posts changed since the
    /// last send).
    Send {
        /// Only these posts (file paths or slugs).
        posts: Vec<String>,
        /// List what would be sent, and send nothing.
        #[arg(long)]
        dry_run: bool,
        /// Seconds each request may take.
        #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
        timeout: f64,
    },
}

impl WebmentionArgs {
    pub fn run(self, root: &Path, verbosity: Verbosity) -> anyhow::Result<ExitCode> {
        let WebmentionAction::Send {
            posts,
            dry_run,
            timeout,
        } = self.action;
        let outcomes = crate::respond::webmention::send::send(
            &crate::respond::webmention::send::SendOptions {
                root: root.to_path_buf(),
                posts,
                dry_run,
                timeout: Duration::from_secs_f64(timeout.clamp(0.1, 120.0)),
            },
        )?;
        let mut failed = 0;
        for o in &outcomes {
            match &o.result {
                Ok(what) => {
                    if verbosity != Verbosity::Quiet {
                        println!("{} -> {}: {what}", o.source, o.target);
                    }
                }
                Err(e) => {
                    failed += 1;
                    eprintln!("{} -> {}: failed: {e}", o.source, o.target);
                }
            }
        }
        if outcomes.is_empty() && verbosity != Verbosity::Quiet {
            eprintln!("Nothing to send: no post changed since the last send.");
        }
        if failed > 0 {
            eprintln!("{failed} failed; they are tried again on the next send.");
            return Ok(ExitCode::from(1));
        }
        Ok(ExitCode::SUCCESS)
    }
}
