//! A listing of a library crate's public API, read from its source with `syn` (the stable
//! toolchain has no rustdoc JSON): one line per public item, method, field, variant and trait
//! implementation, by the path a user names it with, sorted. A snapshot of it makes every
//! change to the public surface a reviewed diff.
//!
//! What it reads: the module tree from `src/lib.rs` (`#[path]` is not used here), `pub` items
//! of public modules, `pub use` re-exports (followed through private modules; an external
//! target is listed as the re-export it is), inherent and trait impls of public types (derives
//! listed as the impls they are), and the invocations of the crate's own `macro_rules!` macros
//! that write items or methods, expanded (plain fragments only, no repetitions). `cfg`
//! conditions are kept on each line.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::ToTokens;

/// The public API of the crate whose manifest directory is `crate_dir`, one line per item.
pub fn listing(crate_dir: &Path, crate_name: &str) -> Result<String> {
    let mut crate_ = Crate::default();
    crate_.load(&crate_dir.join("src/lib.rs"), Vec::new(), true, Vec::new())?;
    let mut lines = crate_.lines(crate_name);
    lines.sort();
    lines.dedup();
    let mut out = lines.join("\n");
    out.push('\n');
    Ok(out)
}

/// A definition's key: its module's path and its name.
type Key = (Vec<String>, String);
/// Every public definition: its module and the items of that name (normally one).
type Defs<'m> = BTreeMap<Key, (&'m Module, Vec<syn::Item>)>;
/// Where users name each definition: the path and the `cfg` conditions on the way.
type Named = BTreeMap<Key, Vec<(String, Vec<String>)>>;

/// One module: where it is, whether a user can name it, its conditions and items.
struct Module {
    path: Vec<String>,
    public: bool,
    cfg: Vec<String>,
    items: Vec<syn::Item>,
}

#[derive(Default)]
struct Crate {
    modules: Vec<Module>,
    macros: BTreeMap<String, syn::ItemMacro>,
}

impl Crate {
    fn load(
        &mut self,
        file: &Path,
        path: Vec<String>,
        public: bool,
        cfg: Vec<String>,
    ) -> Result<()> {
        let source =
            fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let parsed =
            syn::parse_file(&source).with_context(|| format!("parsing {}", file.display()))?;
        let dir = module_dir(file, path.is_empty());
        self.module(parsed.items, &dir, path, public, cfg)
    }

    fn module(
        &mut self,
        items: Vec<syn::Item>,
        dir: &Path,
        path: Vec<String>,
        public: bool,
        cfg: Vec<String>,
    ) -> Result<()> {
        for item in &items {
            if let syn::Item::Macro(m) = item
                && m.mac.path.is_ident("macro_rules")
                && let Some(name) = &m.ident
            {
                self.macros.insert(name.to_string(), m.clone());
            }
        }
        for item in &items {
            let syn::Item::Mod(m) = item else { continue };
            if is_test(&m.attrs) {
                continue;
            }
            let mut child = path.clone();
            child.push(m.ident.to_string());
            let child_public = public && is_pub(&m.vis);
            let mut child_cfg = cfg.clone();
            child_cfg.extend(cfgs(&m.attrs));
            match &m.content {
                Some((_, inline)) => {
                    let inner_dir = dir.join(m.ident.to_string());
                    self.module(inline.clone(), &inner_dir, child, child_public, child_cfg)?;
                }
                None => {
                    let name = m.ident.to_string();
                    let flat = dir.join(format!("{name}.rs"));
                    let nested = dir.join(&name).join("mod.rs");
                    let file = if flat.exists() { flat } else { nested };
                    self.load(&file, child, child_public, child_cfg)?;
                }
            }
        }
        self.modules.push(Module {
            path,
            public,
            cfg,
            items,
        });
        Ok(())
    }

    fn lines(&self, crate_name: &str) -> Vec<String> {
        // Every definition, by (module, name).
        let mut defs: Defs = BTreeMap::new();
        for module in &self.modules {
            for item in self.expanded(&module.items) {
                if let Some(name) = item_name(&item)
                    && item_is_pub(&item)
                    && !is_hidden(item_attrs(&item))
                {
                    defs.entry((module.path.clone(), name))
                        .or_insert_with(|| (module, Vec::new()))
                        .1
                        .push(item);
                }
            }
        }
        // Private modules a public one re-exports (`pub use client::env`), by user path.
        let mut aliased: BTreeMap<Vec<String>, (String, Vec<String>)> = BTreeMap::new();
        for module in self.modules.iter().filter(|m| m.public) {
            for (u, alias, source) in pub_uses(module) {
                if let Some(target) = self.local_module(&module.path, &source) {
                    let mut cfg = module.cfg.clone();
                    cfg.extend(cfgs(&u.attrs));
                    let user = format!("{}::{alias}", user_path(crate_name, &module.path));
                    aliased.insert(target, (user, cfg));
                }
            }
        }
        // The paths a user names each definition by, with the conditions on the way.
        let mut named: Named = BTreeMap::new();
        let mut out = Vec::new();
        for module in &self.modules {
            let (prefix, module_cfg) = match aliased.get(&module.path) {
                Some((user, cfg)) => (user.clone(), cfg.clone()),
                None if module.public => (user_path(crate_name, &module.path), module.cfg.clone()),
                None => continue,
            };
            if !module.path.is_empty() {
                out.push(with_cfg(format!("pub mod {prefix}"), &module_cfg));
            }
            for ((path, name), _) in defs.range((module.path.clone(), String::new())..) {
                if path != &module.path {
                    break;
                }
                named
                    .entry((path.clone(), name.clone()))
                    .or_default()
                    .push((format!("{prefix}::{name}"), module_cfg.clone()));
            }
            if !module.public {
                continue;
            }
            for (u, alias, source) in pub_uses(module) {
                if self.local_module(&module.path, &source).is_some() {
                    continue;
                }
                let mut cfg = module_cfg.clone();
                cfg.extend(cfgs(&u.attrs));
                let user = format!("{prefix}::{alias}");
                match self.resolve(&module.path, &source, &defs, 0) {
                    Some(key) => named.entry(key).or_default().push((user, cfg)),
                    None => out.push(with_cfg(
                        format!("pub use {user} = {}", source.join("::")),
                        &cfg,
                    )),
                }
            }
        }
        // Each definition is listed once, by its shortest path; the other paths are the
        // re-exports they are.
        for users in named.values_mut() {
            users.sort_by_key(|(user, _)| (user.matches("::").count(), user.clone()));
            let (canonical, _) = users[0].clone();
            for (other, cfg) in users.drain(1..) {
                out.push(with_cfg(format!("pub use {other} = {canonical}"), &cfg));
            }
        }
        // Names by which impls find their type: the definition's own name.
        let mut by_name: BTreeMap<String, Vec<(Vec<String>, String)>> = BTreeMap::new();
        for (path, name) in named.keys() {
            by_name
                .entry(name.clone())
                .or_default()
                .push((path.clone(), name.clone()));
        }
        for (key, users) in &named {
            let (module, items) = &defs[key];
            for (user, via_cfg) in users {
                for item in items {
                    let mut cfg = via_cfg.clone();
                    cfg.extend(module.cfg.iter().cloned());
                    cfg.extend(cfgs(item_attrs(item)));
                    item_lines(item, user, &cfg, &mut out);
                }
            }
        }
        for module in &self.modules {
            for item in self.expanded(&module.items) {
                let syn::Item::Impl(imp) = item else { continue };
                let Some(ty) = self_type_name(&imp.self_ty) else {
                    continue;
                };
                let Some(candidates) = by_name.get(&ty) else {
                    continue;
                };
                let key = candidates
                    .iter()
                    .find(|(path, _)| path == &module.path)
                    .or_else(|| (candidates.len() == 1).then(|| &candidates[0]));
                let Some(key) = key else { continue };
                for (user, via_cfg) in &named[key] {
                    let mut cfg = via_cfg.clone();
                    cfg.extend(module.cfg.iter().cloned());
                    cfg.extend(cfgs(&imp.attrs));
                    impl_lines(&imp, user, &cfg, &mut out);
                }
            }
        }
        out
    }

    /// A module's items with the crate's own macro invocations expanded, in items and in impl
    /// blocks.
    fn expanded(&self, items: &[syn::Item]) -> Vec<syn::Item> {
        let mut out = Vec::new();
        for item in items {
            match item {
                syn::Item::Macro(m) if m.ident.is_none() => {
                    if let Some(tokens) = self.expand(&m.mac, 0)
                        && let Ok(file) = syn::parse2::<syn::File>(tokens)
                    {
                        out.extend(self.expanded(&file.items));
                    }
                }
                syn::Item::Impl(imp) => {
                    let mut imp = imp.clone();
                    imp.items = self.expanded_impl_items(&imp.items);
                    out.push(syn::Item::Impl(imp));
                }
                other => out.push(other.clone()),
            }
        }
        out
    }

    fn expanded_impl_items(&self, items: &[syn::ImplItem]) -> Vec<syn::ImplItem> {
        let mut out = Vec::new();
        for item in items {
            match item {
                syn::ImplItem::Macro(m) => {
                    let Some(tokens) = self.expand(&m.mac, 0) else {
                        continue;
                    };
                    let wrapped: TokenStream = quote::quote!(impl X { #tokens });
                    if let Ok(syn::Item::Impl(imp)) = syn::parse2::<syn::Item>(wrapped) {
                        out.extend(self.expanded_impl_items(&imp.items));
                    }
                }
                other => out.push(other.clone()),
            }
        }
        out
    }

    /// One invocation of a crate macro, expanded once (its result may invoke more macros).
    fn expand(&self, mac: &syn::Macro, depth: usize) -> Option<TokenStream> {
        let name = mac.path.segments.last()?.ident.to_string();
        let def = self.macros.get(&name)?;
        if depth > 8 {
            return None;
        }
        let rules = rules(&def.mac.tokens);
        let input: Vec<TokenTree> = mac.tokens.clone().into_iter().collect();
        rules.iter().find_map(|(matcher, body)| {
            let bindings = matches(matcher, &input)?;
            Some(transcribe(body.clone(), &bindings))
        })
    }

    /// The module of ours a `use` path names, if it names one.
    fn local_module(&self, module: &[String], source: &[String]) -> Option<Vec<String>> {
        let rest = match source.first() {
            Some(first) if is_relative(first) => &source[1..],
            _ => source,
        };
        if rest.is_empty() {
            return None;
        }
        self.walk(module, source)
    }

    /// The module a path of modules leads to from `module` (`crate::`, `self::`, `super::`
    /// or relative); `None` when it leaves our modules (an external path).
    fn walk(&self, module: &[String], path: &[String]) -> Option<Vec<String>> {
        let (mut at, rest) = match path.first().map(String::as_str) {
            // A path into anything but one of our modules is external.
            Some("crate") => (Vec::new(), &path[1..]),
            Some("self") => (module.to_vec(), &path[1..]),
            Some("super") => (
                module[..module.len().saturating_sub(1)].to_vec(),
                &path[1..],
            ),
            _ => (module.to_vec(), path),
        };
        for segment in rest {
            at.push(segment.clone());
            if !self.modules.iter().any(|m| m.path == at) {
                return None;
            }
        }
        Some(at)
    }

    /// Follow a `use` path from `module` to a definition, through re-exports.
    fn resolve(
        &self,
        module: &[String],
        source: &[String],
        defs: &Defs,
        depth: usize,
    ) -> Option<Key> {
        if depth > 8 {
            return None;
        }
        let (last, init) = source.split_last()?;
        let at = self.walk(module, init)?;
        let key = (at.clone(), last.clone());
        if defs.contains_key(&key) {
            return Some(key);
        }
        let module = self.modules.iter().find(|m| m.path == at)?;
        for item in &module.items {
            let syn::Item::Use(u) = item else { continue };
            for (alias, next) in use_leaves(&u.tree, Vec::new()) {
                if &alias == last {
                    return self.resolve(&at, &next, defs, depth + 1);
                }
            }
        }
        None
    }
}

fn is_relative(segment: &str) -> bool {
    matches!(segment, "crate" | "self" | "super")
}

fn module_dir(file: &Path, root: bool) -> PathBuf {
    let parent = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if root || stem == "mod" {
        parent
    } else {
        parent.join(stem)
    }
}

fn user_path(crate_name: &str, path: &[String]) -> String {
    std::iter::once(crate_name.replace('-', "_"))
        .chain(path.iter().cloned())
        .collect::<Vec<_>>()
        .join("::")
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

fn is_test(attrs: &[syn::Attribute]) -> bool {
    cfgs(attrs).iter().any(|c| c == "test")
}

fn is_hidden(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .any(|a| a.path().is_ident("doc") && text(&a.meta).replace(' ', "").contains("doc(hidden)"))
}

/// The `cfg(...)` conditions of some attributes, as written.
fn cfgs(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
        .filter_map(|a| match &a.meta {
            syn::Meta::List(list) => Some(squash(&list.tokens.to_string())),
            _ => None,
        })
        .collect()
}

fn with_cfg(line: String, cfg: &[String]) -> String {
    let cfg: BTreeSet<&String> = cfg.iter().collect();
    if cfg.is_empty() {
        line
    } else {
        let conditions: Vec<&str> = cfg.iter().map(|c| c.as_str()).collect();
        format!("{line}  [cfg: {}]", conditions.join(", "))
    }
}

fn item_name(item: &syn::Item) -> Option<String> {
    Some(match item {
        syn::Item::Struct(i) => i.ident.to_string(),
        syn::Item::Enum(i) => i.ident.to_string(),
        syn::Item::Union(i) => i.ident.to_string(),
        syn::Item::Trait(i) => i.ident.to_string(),
        syn::Item::Fn(i) => i.sig.ident.to_string(),
        syn::Item::Const(i) => i.ident.to_string(),
        syn::Item::Static(i) => i.ident.to_string(),
        syn::Item::Type(i) => i.ident.to_string(),
        _ => return None,
    })
}

fn item_is_pub(item: &syn::Item) -> bool {
    match item {
        syn::Item::Struct(i) => is_pub(&i.vis),
        syn::Item::Enum(i) => is_pub(&i.vis),
        syn::Item::Union(i) => is_pub(&i.vis),
        syn::Item::Trait(i) => is_pub(&i.vis),
        syn::Item::Fn(i) => is_pub(&i.vis),
        syn::Item::Const(i) => is_pub(&i.vis),
        syn::Item::Static(i) => is_pub(&i.vis),
        syn::Item::Type(i) => is_pub(&i.vis),
        _ => false,
    }
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        _ => &[],
    }
}

/// What a user can rely on from an item's attributes: `#[non_exhaustive]`, `#[must_use]`,
/// `#[deprecated]`, `#[repr]`.
fn markers(attrs: &[syn::Attribute]) -> String {
    let kept: Vec<String> = attrs
        .iter()
        .filter(|a| {
            ["non_exhaustive", "must_use", "deprecated", "repr"]
                .iter()
                .any(|name| a.path().is_ident(name))
        })
        .map(|a| format!("  #[{}]", squash(&text(&a.meta))))
        .collect();
    kept.concat()
}

fn derives(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        if let Ok(paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) {
            out.extend(paths.iter().map(|p| squash(&text(p))));
        }
    }
    out
}

fn item_lines(item: &syn::Item, user: &str, cfg: &[String], out: &mut Vec<String>) {
    let derived = |attrs: &[syn::Attribute], out: &mut Vec<String>| {
        for d in derives(attrs) {
            out.push(with_cfg(format!("impl {d} for {user}"), cfg));
        }
    };
    match item {
        syn::Item::Struct(s) => {
            let generics = squash(&text(&s.generics));
            let private = s.fields.iter().any(|f| !is_pub(&f.vis));
            let shape = match (&s.fields, private) {
                (syn::Fields::Unit, _) => ";",
                (syn::Fields::Unnamed(_), true) => "(/* private fields */)",
                (syn::Fields::Named(_), true) => " { /* private fields */ }",
                _ => "",
            };
            out.push(with_cfg(
                format!("pub struct {user}{generics}{shape}{}", markers(&s.attrs)),
                cfg,
            ));
            for (i, field) in s.fields.iter().enumerate() {
                if is_pub(&field.vis) {
                    let name = field
                        .ident
                        .as_ref()
                        .map_or_else(|| i.to_string(), ToString::to_string);
                    out.push(with_cfg(
                        format!("pub {user}::{name}: {}", squash(&text(&field.ty))),
                        cfg,
                    ));
                }
            }
            derived(&s.attrs, out);
        }
        syn::Item::Enum(e) => {
            let generics = squash(&text(&e.generics));
            out.push(with_cfg(
                format!("pub enum {user}{generics}{}", markers(&e.attrs)),
                cfg,
            ));
            for v in &e.variants {
                let mut fields = v.fields.clone();
                for field in fields.iter_mut() {
                    field.attrs.retain(|a| !a.path().is_ident("doc"));
                }
                let fields = match &fields {
                    syn::Fields::Unit => String::new(),
                    syn::Fields::Named(_) => format!(" {}", squash(&text(&fields))),
                    syn::Fields::Unnamed(_) => squash(&text(&fields)),
                };
                out.push(with_cfg(
                    format!("{user}::{}{fields}{}", v.ident, markers(&v.attrs)),
                    cfg,
                ));
            }
            derived(&e.attrs, out);
        }
        syn::Item::Trait(t) => {
            let mut head = t.clone();
            head.items.clear();
            head.attrs.retain(|a| !a.path().is_ident("doc"));
            let head = squash(&text(&head));
            let head = head
                .trim_end_matches('}')
                .trim_end()
                .trim_end_matches('{')
                .trim_end();
            let head = head.replacen(&format!("trait {}", t.ident), &format!("trait {user}"), 1);
            out.push(with_cfg(head, cfg));
            for item in &t.items {
                let line = match item {
                    syn::TraitItem::Fn(f) => {
                        let provided = if f.default.is_some() {
                            " {provided}"
                        } else {
                            ""
                        };
                        let at = format!("{user}::{}", f.sig.ident);
                        format!("{}{provided}", signature_at(&f.sig, &at))
                    }
                    syn::TraitItem::Type(ty) => {
                        format!("{user}::type {}", squash(&text(&ty.ident)))
                    }
                    syn::TraitItem::Const(c) => {
                        format!("{user}::const {}: {}", c.ident, squash(&text(&c.ty)))
                    }
                    _ => continue,
                };
                out.push(with_cfg(line, cfg));
            }
        }
        syn::Item::Fn(f) => out.push(with_cfg(
            format!("pub {}{}", signature_at(&f.sig, user), markers(&f.attrs)),
            cfg,
        )),
        syn::Item::Const(c) => out.push(with_cfg(
            format!("pub const {user}: {}", squash(&text(&c.ty))),
            cfg,
        )),
        syn::Item::Static(s) => out.push(with_cfg(
            format!("pub static {user}: {}", squash(&text(&s.ty))),
            cfg,
        )),
        syn::Item::Type(t) => out.push(with_cfg(
            format!(
                "pub type {user}{} = {}",
                squash(&text(&t.generics)),
                squash(&text(&t.ty))
            ),
            cfg,
        )),
        syn::Item::Union(_) => out.push(with_cfg(format!("pub union {user}"), cfg)),
        _ => {}
    }
}

fn impl_lines(imp: &syn::ItemImpl, user: &str, cfg: &[String], out: &mut Vec<String>) {
    let generics = squash(&text(&imp.generics));
    let self_ty = squash(&text(&imp.self_ty));
    // The type as the user names it, with the impl's own arguments (`Ask<'a>`).
    let name = self_type_name(&imp.self_ty).unwrap_or_default();
    let shown = match self_ty.find(&name) {
        Some(at) => format!("{user}{}", &self_ty[at + name.len()..]),
        None => self_ty.clone(),
    };
    match &imp.trait_ {
        Some((path, _)) => {
            out.push(with_cfg(
                format!("impl{generics} {} for {shown}", squash(&text(path))),
                cfg,
            ));
            for item in &imp.items {
                if let syn::ImplItem::Type(t) = item {
                    out.push(with_cfg(
                        format!(
                            "impl{generics} {} for {shown}: type {} = {}",
                            squash(&text(path)),
                            t.ident,
                            squash(&text(&t.ty))
                        ),
                        cfg,
                    ));
                }
            }
        }
        None => {
            for item in &imp.items {
                let mut cfg = cfg.to_vec();
                let line = match item {
                    syn::ImplItem::Fn(f) if is_pub(&f.vis) && !is_hidden(&f.attrs) => {
                        cfg.extend(cfgs(&f.attrs));
                        format!(
                            "pub {}{}",
                            signature_at(&f.sig, &format!("{shown}::{}", f.sig.ident)),
                            markers(&f.attrs)
                        )
                    }
                    syn::ImplItem::Const(c) if is_pub(&c.vis) => {
                        cfg.extend(cfgs(&c.attrs));
                        format!("pub const {shown}::{}: {}", c.ident, squash(&text(&c.ty)))
                    }
                    _ => continue,
                };
                let line = if generics.is_empty() {
                    line
                } else {
                    format!("{line}  [impl{generics}]")
                };
                out.push(with_cfg(line, &cfg));
            }
        }
    }
}

/// `fn name<..>(..) -> ..` with the name replaced by the user's path.
fn signature_at(sig: &syn::Signature, user: &str) -> String {
    let mut sig = sig.clone();
    sig.ident = syn::Ident::new("__item__", proc_macro2::Span::call_site());
    // `mut` on a parameter is the body's business, not the caller's.
    for input in &mut sig.inputs {
        match input {
            // `mut self` binds; `&mut self` (in the receiver's kind) is the caller's business.
            syn::FnArg::Receiver(r) => r.mutability = None,
            syn::FnArg::Typed(t) => {
                if let syn::Pat::Ident(p) = t.pat.as_mut() {
                    p.mutability = None;
                }
            }
        }
    }
    signature(&sig).replacen("__item__", user, 1)
}

fn signature(sig: &syn::Signature) -> String {
    squash(&text(sig))
}

fn self_type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => Some(p.path.segments.last()?.ident.to_string()),
        _ => None,
    }
}

/// A module's `pub use` leaves: (the item, the name it binds, the source path).
fn pub_uses(module: &Module) -> Vec<(&syn::ItemUse, String, Vec<String>)> {
    module
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Use(u) if is_pub(&u.vis) => Some(u),
            _ => None,
        })
        .flat_map(|u| {
            use_leaves(&u.tree, Vec::new())
                .into_iter()
                .map(move |(alias, source)| (u, alias, source))
        })
        .collect()
}

/// The leaves of a `use` tree: (the name it binds, the full source path).
fn use_leaves(tree: &syn::UseTree, prefix: Vec<String>) -> Vec<(String, Vec<String>)> {
    match tree {
        syn::UseTree::Path(p) => {
            let mut prefix = prefix;
            prefix.push(p.ident.to_string());
            use_leaves(&p.tree, prefix)
        }
        syn::UseTree::Name(n) => {
            let mut source = prefix;
            source.push(n.ident.to_string());
            vec![(n.ident.to_string(), source)]
        }
        syn::UseTree::Rename(r) => {
            let mut source = prefix;
            source.push(r.ident.to_string());
            vec![(r.rename.to_string(), source)]
        }
        syn::UseTree::Glob(_) => {
            let mut source = prefix;
            source.push("*".into());
            vec![("*".into(), source)]
        }
        syn::UseTree::Group(g) => g
            .items
            .iter()
            .flat_map(|t| use_leaves(t, prefix.clone()))
            .collect(),
    }
}

fn text(tokens: &impl ToTokens) -> String {
    tokens.to_token_stream().to_string()
}

/// Token text with the spaces Rust's own style would not write.
fn squash(s: &str) -> String {
    let mut out = s.to_owned();
    for (from, to) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" ::", "::"),
        (" < ", "<"),
        ("< ", "<"),
        (" <", "<"),
        (" >", ">"),
        (" ,", ","),
        ("( ", "("),
        (" )", ")"),
        (" (", "("),
        ("& ", "&"),
        (" :", ":"),
        ("[ ", "["),
        (" ]", "]"),
        ("# [", "#["),
        (" ;", ";"),
        ("! (", "!("),
        (" ?", "?"),
    ] {
        while out.contains(from) {
            out = out.replace(from, to);
        }
    }
    // Put back the spaces squashing took from between words and arrows or bounds.
    for (from, to) in [("->", " -> "), ("  ", " "), ("=", " = "), ("  ", " ")] {
        out = out.replace(from, to);
    }
    for (from, to) in [(",)", ")"), (", }", " }"), (",}", " }")] {
        out = out.replace(from, to);
    }
    out.replace(" = >", " =>").trim().to_owned()
}

// ---- a small `macro_rules!` expander: literal tokens and `$name:fragment`, no repetitions ----

/// A matcher token: a literal token tree (compared as text), a group to match inside, or a
/// fragment to bind.
#[derive(Clone, Debug)]
enum Pattern {
    Literal(String),
    Group(Delimiter, Vec<Pattern>),
    Fragment(String, String),
}

fn rules(body: &TokenStream) -> Vec<(Vec<Pattern>, TokenStream)> {
    let trees: Vec<TokenTree> = body.clone().into_iter().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 2 < trees.len() + 1 {
        let (
            Some(TokenTree::Group(matcher)),
            Some(TokenTree::Punct(eq)),
            Some(TokenTree::Punct(gt)),
            Some(TokenTree::Group(body)),
        ) = (
            trees.get(i),
            trees.get(i + 1),
            trees.get(i + 2),
            trees.get(i + 3),
        )
        else {
            break;
        };
        if eq.as_char() != '=' || gt.as_char() != '>' {
            break;
        }
        out.push((pattern(matcher.stream()), body.stream()));
        i += 4;
        if matches!(trees.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ';') {
            i += 1;
        }
    }
    out
}

fn pattern(stream: TokenStream) -> Vec<Pattern> {
    let trees: Vec<TokenTree> = stream.into_iter().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < trees.len() {
        match &trees[i] {
            TokenTree::Punct(p) if p.as_char() == '$' => {
                if let (
                    Some(TokenTree::Ident(name)),
                    Some(TokenTree::Punct(colon)),
                    Some(TokenTree::Ident(kind)),
                ) = (trees.get(i + 1), trees.get(i + 2), trees.get(i + 3))
                    && colon.as_char() == ':'
                {
                    out.push(Pattern::Fragment(name.to_string(), kind.to_string()));
                    i += 4;
                    continue;
                }
                out.push(Pattern::Literal("$".into()));
            }
            TokenTree::Group(g) => out.push(Pattern::Group(g.delimiter(), pattern(g.stream()))),
            other => out.push(Pattern::Literal(other.to_string())),
        }
        i += 1;
    }
    out
}

/// Match an invocation against a rule; the bindings by fragment name.
fn matches(pattern: &[Pattern], input: &[TokenTree]) -> Option<BTreeMap<String, TokenStream>> {
    let mut bindings = BTreeMap::new();
    let mut at = 0;
    for (k, p) in pattern.iter().enumerate() {
        match p {
            Pattern::Literal(lit) => {
                // A lifetime is two token trees (`'` and the name).
                if input.get(at)?.to_string() != *lit {
                    return None;
                }
                at += 1;
            }
            Pattern::Group(delimiter, inner) => {
                let TokenTree::Group(g) = input.get(at)? else {
                    return None;
                };
                if g.delimiter() != *delimiter {
                    return None;
                }
                let inner_input: Vec<TokenTree> = g.stream().into_iter().collect();
                bindings.extend(matches(inner, &inner_input)?);
                at += 1;
            }
            Pattern::Fragment(name, kind) => {
                let taken = match kind.as_str() {
                    "ident" => 1,
                    "lifetime" => 2,
                    // Greedy up to the next literal of the pattern (or the end).
                    _ => match pattern.get(k + 1) {
                        Some(Pattern::Literal(next)) => {
                            let mut n = 0;
                            let mut depth = 0i32;
                            while let Some(t) = input.get(at + n) {
                                let s = t.to_string();
                                if depth == 0 && s == *next {
                                    break;
                                }
                                depth += i32::from(s == "<") - i32::from(s == ">");
                                n += 1;
                            }
                            n
                        }
                        _ => input.len() - at,
                    },
                };
                if taken == 0 || at + taken > input.len() {
                    return None;
                }
                bindings.insert(
                    name.clone(),
                    input[at..at + taken].iter().cloned().collect(),
                );
                at += taken;
            }
        }
    }
    (at == input.len()).then_some(bindings)
}

fn transcribe(body: TokenStream, bindings: &BTreeMap<String, TokenStream>) -> TokenStream {
    let trees: Vec<TokenTree> = body.into_iter().collect();
    let mut out = TokenStream::new();
    let mut i = 0;
    while i < trees.len() {
        match &trees[i] {
            TokenTree::Punct(p) if p.as_char() == '$' => {
                if let Some(TokenTree::Ident(name)) = trees.get(i + 1) {
                    let name = name.to_string();
                    if name == "crate" {
                        out.extend(quote::quote!(crate));
                    } else if let Some(bound) = bindings.get(&name) {
                        out.extend(bound.clone());
                    }
                    i += 2;
                    continue;
                }
                out.extend(std::iter::once(trees[i].clone()));
            }
            TokenTree::Group(g) => {
                let mut group = Group::new(g.delimiter(), transcribe(g.stream(), bindings));
                group.set_span(g.span());
                out.extend(std::iter::once(TokenTree::Group(group)));
            }
            other => out.extend(std::iter::once(other.clone())),
        }
        i += 1;
    }
    out
}

/// `cargo xtask public-api [CRATE_DIR]`: print the listing (the snapshot test is the check).
pub fn run(crate_dir: &Path) -> Result<()> {
    let manifest = fs::read_to_string(crate_dir.join("Cargo.toml"))
        .with_context(|| format!("reading {}/Cargo.toml", crate_dir.display()))?;
    let Some(name) = manifest.lines().find_map(|l| {
        l.strip_prefix("name = ")
            .map(|n| n.trim_matches('"').to_owned())
    }) else {
        bail!("{}/Cargo.toml names no package", crate_dir.display());
    };
    print!("{}", listing(crate_dir, &name)?);
    Ok(())
}
