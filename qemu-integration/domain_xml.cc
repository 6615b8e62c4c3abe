#include "vouch/qemu/domain_xml.h"

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <mutex>

#include "internal/text.h"
#include "internal/uuid.h"

namespace vouch::qemu {
namespace {

using internal::OneLine;
using internal::CanonicalUuid;
using internal::Printable;

constexpr const char* kQemuNamespace = "http://libvirt.org/schemas/domain/qemu/1.0";

struct XmlDocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocFree>;

struct XmlParserCtxtFree {
  void operator()(xmlParserCtxt* ctxt) const { xmlFreeParserCtxt(ctxt); }
};
using XmlParserCtxtPtr = std::unique_ptr<xmlParserCtxt, XmlParserCtxtFree>;

struct XmlCharFree {
  void operator()(xmlChar* p) const { xmlFree(p); }
};
using XmlCharPtr = std::unique_ptr<xmlChar, XmlCharFree>;

// What the SAX hooks saw; reached through xmlParserCtxt::_private.
struct ParseState {
  bool saw_doctype = false;
  int doctype_line = 0;
};

ParseState* StateOf(void* ctx) {
  return static_cast<ParseState*>(static_cast<xmlParserCtxt*>(ctx)->_private);
}

// Called for "<!DOCTYPE name …" before any declaration of its internal
// subset is read: stop at once, so no entity is ever declared.
void OnDoctype(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  auto* ctxt = static_cast<xmlParserCtxt*>(ctx);
  ParseState* state = StateOf(ctx);
  state->saw_doctype = true;
  state->doctype_line = xmlSAX2GetLineNumber(ctx);
  xmlStopParser(ctxt);
}

// Never reached while OnDoctype stops the parser; kept so that an entity
// declaration stops it too should the DOCTYPE hook ever be bypassed.
void OnEntityDecl(void* ctx, const xmlChar*, int, const xmlChar*, const xmlChar*, xmlChar*) {
  ParseState* state = StateOf(ctx);
  state->saw_doctype = true;
  state->doctype_line = xmlSAX2GetLineNumber(ctx);
  xmlStopParser(static_cast<xmlParserCtxt*>(ctx));
}

// libxml2 reports errors here instead of printing them.
void IgnoreStructuredError(void*, xmlErrorPtr) {}

// Parses `xml` with the hardening described in domain_xml.h. `what` names
// the document in messages ("domain XML").
Result<XmlDocPtr> ParseHardened(std::string_view xml, std::string_view what) {
  if (xml.size() > kMaxDomainXmlSize) {
    return Error(Code::kMalformed, StrCat(what, ": ", xml.size(), " bytes exceeds the limit of ",
                                          kMaxDomainXmlSize, " bytes"));
  }
  if (xml.empty()) return Error(Code::kMalformed, StrCat(what, ": empty document"));
  static std::once_flag init;
  std::call_once(init, [] { xmlInitParser(); });

  XmlParserCtxtPtr ctxt(xmlCreateMemoryParserCtxt(xml.data(), static_cast<int>(xml.size())));
  if (ctxt == nullptr) {
    return Error(Code::kInternal, StrCat(what, ": libxml2 could not create a parser context"));
  }
  ParseState state;
  ctxt->_private = &state;
  ctxt->sax->internalSubset = &OnDoctype;
  ctxt->sax->entityDecl = &OnEntityDecl;
  ctxt->sax->serror = &IgnoreStructuredError;
  // Deliberately absent: XML_PARSE_NOENT (entity substitution),
  // XML_PARSE_DTDLOAD / DTDATTR / DTDVALID (DTD loading), XML_PARSE_HUGE
  // (libxml2's depth and size limits), XML_PARSE_XINCLUDE.
  xmlCtxtUseOptions(ctxt.get(), XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  const int rc = xmlParseDocument(ctxt.get());
  XmlDocPtr doc(ctxt->myDoc);
  ctxt->myDoc = nullptr;

  if (state.saw_doctype) {
    return Error(Code::kMalformed,
                 StrCat(what, ": <!DOCTYPE> at line ", state.doctype_line,
                        " is refused (libvirt writes none, and DTD entity declarations "
                        "enable entity expansion and external-entity reads)"));
  }
  if (rc != 0 || !ctxt->wellFormed || doc == nullptr) {
    const xmlError& e = ctxt->lastError;
    std::string msg = e.message != nullptr ? OneLine(e.message) : "unknown libxml2 error";
    // libxml2 suggests lifting its limits; vouch never does.
    for (const char* hint : {", use XML_PARSE_HUGE option", " use XML_PARSE_HUGE option"}) {
      if (size_t at = msg.find(hint); at != std::string::npos) msg.erase(at);
    }
    return Error(Code::kMalformed,
                 StrCat(what, ": not well-formed XML at line ", e.line, ": ", msg));
  }
  return doc;
}

bool IsElement(const xmlNode* n) { return n != nullptr && n->type == XML_ELEMENT_NODE; }

bool NameIs(const xmlNode* n, const char* name) {
  return xmlStrEqual(n->name, reinterpret_cast<const xmlChar*>(name)) != 0;
}

// A namespace-less element named `name` (libvirt's own elements have no namespace).
bool IsPlain(const xmlNode* n, const char* name) {
  return IsElement(n) && n->ns == nullptr && NameIs(n, name);
}

bool IsInNamespace(const xmlNode* n, std::string_view uri) {
  return n->ns != nullptr && n->ns->href != nullptr &&
         std::string_view(reinterpret_cast<const char*>(n->ns->href)) == uri;
}

// First namespace-less child element `name`, as libvirt's XPath "./name[1]".
const xmlNode* Child(const xmlNode* parent, const char* name) {
  if (parent == nullptr) return nullptr;
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (IsPlain(c, name)) return c;
  }
  return nullptr;
}

std::vector<const xmlNode*> Children(const xmlNode* parent, const char* name) {
  std::vector<const xmlNode*> out;
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (IsPlain(c, name)) out.push_back(c);
  }
  return out;
}

// Namespace-less attribute value; "" if absent or `n` is null.
std::string Attr(const xmlNode* n, const char* name) {
  if (n == nullptr) return "";
  XmlCharPtr v(xmlGetNoNsProp(n, reinterpret_cast<const xmlChar*>(name)));
  return v ? std::string(reinterpret_cast<const char*>(v.get())) : std::string();
}

bool HasAttr(const xmlNode* n, const char* name) {
  return n != nullptr && xmlHasNsProp(n, reinterpret_cast<const xmlChar*>(name), nullptr) != nullptr;
}

// Concatenated text of `n`; "" if `n` is null. (No entity can be declared,
// so no expansion happens here.)
std::string Text(const xmlNode* n) {
  if (n == nullptr) return "";
  XmlCharPtr v(xmlNodeGetContent(n));
  return v ? std::string(reinterpret_cast<const char*>(v.get())) : std::string();
}

std::string_view TrimAscii(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// Decimal digits only (surrounding ASCII whitespace allowed).
Result<uint64_t> ParseDecimal(std::string_view text, std::string_view what) {
  std::string_view t = TrimAscii(text);
  if (t.empty()) return Error(Code::kMalformed, StrCat(what, ": expected a decimal number, got ''"));
  uint64_t v = 0;
  for (char c : t) {
    if (c < '0' || c > '9') {
      return Error(Code::kMalformed,
                   StrCat(what, ": expected a decimal number, got '", Printable(t, 40), "'"));
    }
    if (__builtin_mul_overflow(v, 10u, &v) || __builtin_add_overflow(v, static_cast<unsigned>(c - '0'), &v)) {
      return Error(Code::kMalformed, StrCat(what, ": ", Printable(t, 40), " does not fit in 64 bits"));
    }
  }
  return v;
}

// Bytes per unit, as libvirt's virScaleInteger (case-insensitive); "" is KiB.
Result<uint64_t> UnitScale(std::string_view unit, std::string_view what) {
  if (unit.empty()) return uint64_t{1024};
  if (EqualsIgnoreCase(unit, "b") || EqualsIgnoreCase(unit, "byte") || EqualsIgnoreCase(unit, "bytes")) {
    return uint64_t{1};
  }
  uint64_t base = 0;
  if (unit.size() == 1 || EqualsIgnoreCase(unit.substr(1), "ib")) {
    base = 1024;
  } else if (unit.size() == 2 && Lower(unit[1]) == 'b') {
    base = 1000;
  } else {
    return Error(Code::kMalformed, StrCat(what, ": unknown unit '", Printable(unit, 20), "'"));
  }
  int power = 0;
  switch (Lower(unit[0])) {
    case 'k': power = 1; break;
    case 'm': power = 2; break;
    case 'g': power = 3; break;
    case 't': power = 4; break;
    case 'p': power = 5; break;
    case 'e': power = 6; break;
    default:
      return Error(Code::kMalformed, StrCat(what, ": unknown unit '", Printable(unit, 20), "'"));
  }
  uint64_t scale = 1;
  for (int i = 0; i < power; ++i) scale *= base;  // 1024^6 = 2^60 fits
  return scale;
}

// <memory unit=…>N</memory> → KiB, rounded up as libvirt does.
Result<uint64_t> ParseMemoryKib(const xmlNode* n, std::string_view what) {
  VOUCH_ASSIGN_OR_RETURN(uint64_t value, ParseDecimal(Text(n), what));
  VOUCH_ASSIGN_OR_RETURN(uint64_t scale, UnitScale(Attr(n, "unit"), what));
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(value, scale, &bytes)) {
    return Error(Code::kMalformed, StrCat(what, ": ", value, " ", Printable(Attr(n, "unit"), 20),
                                          " overflows 64 bits in bytes"));
  }
  return bytes / 1024 + (bytes % 1024 != 0 ? 1 : 0);
}

std::string DiskSource(const xmlNode* disk, const std::string& type) {
  const xmlNode* src = Child(disk, "source");
  if (src == nullptr) return "";
  if (type == "file") return Attr(src, "file");
  if (type == "block") return Attr(src, "dev");
  if (type == "dir") return Attr(src, "dir");
  if (type == "volume") return StrCat(Attr(src, "pool"), "/", Attr(src, "volume"));
  if (type == "vhostuser") return Attr(src, "path");
  if (type == "network") {
    std::string hosts;
    for (const xmlNode* h : Children(src, "host")) {
      if (!hosts.empty()) hosts += ",";
      if (Attr(h, "transport") == "unix") {
        hosts += StrCat("unix:", Attr(h, "socket"));
      } else {
        hosts += Attr(h, "name");
        if (HasAttr(h, "port")) hosts += StrCat(":", Attr(h, "port"));
      }
    }
    return StrCat(Attr(src, "protocol"), "://", hosts, "/", Attr(src, "name"));
  }
  return "";
}

Result<DomainDisk> ParseDisk(const xmlNode* n, size_t index) {
  DomainDisk d;
  d.type = HasAttr(n, "type") ? Attr(n, "type") : "file";  // libvirt's default
  d.device = HasAttr(n, "device") ? Attr(n, "device") : "disk";
  const xmlNode* target = Child(n, "target");
  d.target_dev = Attr(target, "dev");
  d.target_bus = Attr(target, "bus");
  d.source = DiskSource(n, d.type);
  d.driver_type = Attr(Child(n, "driver"), "type");
  d.readonly = Child(n, "readonly") != nullptr;
  const xmlNode* enc = Child(Child(n, "source"), "encryption");
  if (enc == nullptr) enc = Child(n, "encryption");
  if (enc != nullptr) {
    d.encryption_format = Attr(enc, "format");
    const xmlNode* secret = Child(enc, "secret");
    if (HasAttr(secret, "uuid")) {
      VOUCH_ASSIGN_OR_RETURN(
          d.encryption_secret_uuid,
          CanonicalUuid(Attr(secret, "uuid"),
                        StrCat("domain XML: disk ", index, " ('", Printable(d.target_dev), "') encryption secret uuid")));
    }
  }
  return d;
}

std::string InterfaceSource(const xmlNode* n, const std::string& type) {
  const xmlNode* src = Child(n, "source");
  if (src == nullptr) return "";
  if (type == "network") return Attr(src, "network");
  if (type == "bridge") return Attr(src, "bridge");
  if (type == "direct") return Attr(src, "dev");
  if (type == "vhostuser") return Attr(src, "path");
  if (type == "server" || type == "client" || type == "mcast" || type == "udp") {
    return StrCat(Attr(src, "address"), ":", Attr(src, "port"));
  }
  return "";
}

Result<DomainInterface> ParseInterface(const xmlNode* n, size_t index) {
  DomainInterface i;
  if (!HasAttr(n, "type")) {
    return Error(Code::kMalformed, StrCat("domain XML: interface ", index, " has no type attribute"));
  }
  i.type = Attr(n, "type");
  i.source = InterfaceSource(n, i.type);
  i.model = Attr(Child(n, "model"), "type");
  i.mac = Attr(Child(n, "mac"), "address");
  return i;
}

// "KIND" or "KIND:DETAIL" for one child of <devices> (see DomainConfig::devices).
std::string DeviceName(const xmlNode* n) {
  const std::string kind = reinterpret_cast<const char*>(n->name);
  auto with = [&](const std::string& detail) { return detail.empty() ? kind : StrCat(kind, ":", detail); };
  if (kind == "tpm") {
    std::string backend = Attr(Child(n, "backend"), "type");
    std::string model = Attr(n, "model");
    return backend.empty() ? with(model) : StrCat(kind, ":", model, ":", backend);
  }
  if (kind == "channel") {
    const xmlNode* target = Child(n, "target");
    return with(HasAttr(target, "name") ? Attr(target, "name") : Attr(target, "type"));
  }
  static constexpr const char* kByType[] = {"serial", "console", "parallel", "graphics", "hostdev",
                                            "controller", "input", "hub", "redirdev", "audio",
                                            "smartcard"};
  for (const char* k : kByType) {
    if (kind == k) return with(kind == "smartcard" ? Attr(n, "mode") : Attr(n, "type"));
  }
  if (kind == "video") return with(Attr(Child(n, "model"), "type"));
  if (kind == "filesystem") {
    const xmlNode* src = Child(n, "source");
    for (const char* a : {"dir", "name", "file", "socket"}) {
      if (HasAttr(src, a)) return with(Attr(src, a));
    }
    return kind;
  }
  if (kind == "shmem") return with(Attr(n, "name"));
  if (HasAttr(n, "model")) return with(Attr(n, "model"));
  if (const xmlNode* model = Child(n, "model"); HasAttr(model, "type")) return with(Attr(model, "type"));
  return with(Attr(n, "type"));
}

Result<Bytes> DecodeBundle(std::string_view text, std::string_view what) {
  if (TrimAscii(text).empty()) return Error(Code::kMalformed, StrCat(what, " is empty"));
  // Base64 of kMaxBundleSize bytes plus generous whitespace; decoding bounded first.
  if (text.size() > 2 * kMaxBundleSize) {
    return Error(Code::kMalformed, StrCat(what, ": ", text.size(), " characters exceeds the bundle limit of ",
                                          kMaxBundleSize, " bytes"));
  }
  auto decoded = Base64Decode(text);
  if (!decoded.ok()) return Error(Code::kMalformed, StrCat(what, " is not base64"));
  if (decoded->size() > kMaxBundleSize) {
    return Error(Code::kMalformed, StrCat(what, ": ", decoded->size(), " bytes exceeds the limit of ",
                                          kMaxBundleSize, " bytes"));
  }
  return std::move(decoded).value();
}

Result<std::optional<Bytes>> ParseBundle(const xmlNode* domain) {
  const xmlNode* found = nullptr;
  const xmlNode* metadata = Child(domain, "metadata");
  if (metadata == nullptr) return std::optional<Bytes>();
  for (const xmlNode* c = metadata->children; c != nullptr; c = c->next) {
    if (!IsElement(c) || !IsInNamespace(c, kVouchMetadataNamespace)) continue;
    if (!NameIs(c, std::string(kVouchMetadataElement).c_str())) continue;
    if (found != nullptr) {
      return Error(Code::kMalformed,
                   StrCat("domain XML: <metadata> holds more than one <protect> element in namespace '",
                          kVouchMetadataNamespace, "' (lines ", found->line, " and ", c->line, ")"));
    }
    found = c;
  }
  if (found == nullptr) return std::optional<Bytes>();
  auto bundle = DecodeBundle(Text(found), "domain XML: vouch protection bundle in <metadata>");
  if (!bundle.ok()) return bundle.error();
  return std::optional<Bytes>(std::move(bundle).value());
}

Status ParseOs(const xmlNode* os, DomainOs& out) {
  if (os == nullptr) return Ok();
  const xmlNode* type = Child(os, "type");
  out.type = std::string(TrimAscii(Text(type)));
  out.arch = Attr(type, "arch");
  out.machine = Attr(type, "machine");
  out.firmware = Attr(os, "firmware");
  const xmlNode* loader = Child(os, "loader");
  out.loader = std::string(TrimAscii(Text(loader)));
  out.loader_type = Attr(loader, "type");
  out.loader_secure = Attr(loader, "secure");
  const xmlNode* nvram = Child(os, "nvram");
  out.nvram = std::string(TrimAscii(Text(nvram)));
  out.nvram_template = Attr(nvram, "template");
  out.kernel = std::string(TrimAscii(Text(Child(os, "kernel"))));
  out.initrd = std::string(TrimAscii(Text(Child(os, "initrd"))));
  out.cmdline = Text(Child(os, "cmdline"));
  return Ok();
}

bool IsQemu(const xmlNode* n, const char* name) {
  return IsElement(n) && IsInNamespace(n, kQemuNamespace) && NameIs(n, name);
}

// <qemu:override><qemu:device alias=…><qemu:frontend><qemu:property …/>.
void ParseQemuOverride(const xmlNode* override_element, std::vector<std::string>& out) {
  for (const xmlNode* dev = override_element->children; dev != nullptr; dev = dev->next) {
    if (!IsQemu(dev, "device")) continue;
    for (const xmlNode* fe = dev->children; fe != nullptr; fe = fe->next) {
      if (!IsQemu(fe, "frontend")) continue;
      for (const xmlNode* prop = fe->children; prop != nullptr; prop = prop->next) {
        if (!IsQemu(prop, "property")) continue;
        out.push_back(StrCat("override:", Attr(dev, "alias"), ":", Attr(prop, "name"), "=",
                             Attr(prop, "type"), ":", Attr(prop, "value")));
      }
    }
  }
}

// libvirt's QEMU namespace: what is passed to QEMU unchecked by libvirt.
void ParseQemuNamespace(const xmlNode* domain, DomainConfig& c) {
  for (const xmlNode* n = domain->children; n != nullptr; n = n->next) {
    if (IsQemu(n, "commandline")) {
      for (const xmlNode* a = n->children; a != nullptr; a = a->next) {
        if (IsQemu(a, "arg")) c.qemu_args.push_back(Attr(a, "value"));
        if (IsQemu(a, "env")) c.qemu_passthrough.push_back(StrCat("env:", Attr(a, "name"), "=", Attr(a, "value")));
      }
    } else if (IsQemu(n, "capabilities")) {
      for (const xmlNode* a = n->children; a != nullptr; a = a->next) {
        if (IsQemu(a, "add")) c.qemu_passthrough.push_back(StrCat("capability:add:", Attr(a, "capability")));
        if (IsQemu(a, "del")) c.qemu_passthrough.push_back(StrCat("capability:del:", Attr(a, "capability")));
      }
    } else if (IsQemu(n, "override")) {
      ParseQemuOverride(n, c.qemu_passthrough);
    }
  }
  std::sort(c.qemu_passthrough.begin(), c.qemu_passthrough.end());
}

Result<const xmlNode*> DomainRoot(const xmlDoc* doc) {
  const xmlNode* root = xmlDocGetRootElement(doc);
  if (!IsPlain(root, "domain")) {
    return Error(Code::kMalformed,
                 StrCat("domain XML: expected root element <domain> without namespace, got <",
                        Printable(root != nullptr ? reinterpret_cast<const char*>(root->name) : ""), ">"));
  }
  return root;
}

// The first <devices><channel> whose <target type='virtio'> is named `name`.
// libvirt 9.0 defines a domain with two of one name, but QEMU refuses to
// start it ("A port already exists by name"): a live XML has at most one.
const xmlNode* FindVirtioChannel(const xmlNode* domain, std::string_view name) {
  for (const xmlNode* devices : Children(domain, "devices")) {
    for (const xmlNode* channel : Children(devices, "channel")) {
      const xmlNode* target = Child(channel, "target");
      if (Attr(target, "type") == "virtio" && HasAttr(target, "name") && Attr(target, "name") == name) {
        return channel;
      }
    }
  }
  return nullptr;
}

}  // namespace

Result<DomainConfig> ParseDomainXml(std::string_view xml) {
  VOUCH_ASSIGN_OR_RETURN(XmlDocPtr doc, ParseHardened(xml, "domain XML"));
  VOUCH_ASSIGN_OR_RETURN(const xmlNode* root, DomainRoot(doc.get()));
  DomainConfig c;
  if (!HasAttr(root, "type")) {
    return Error(Code::kMalformed, "domain XML: <domain> has no type attribute (expected e.g. 'kvm' or 'qemu')");
  }
  c.type = Attr(root, "type");
  const xmlNode* name = Child(root, "name");
  c.name = std::string(TrimAscii(Text(name)));
  if (c.name.empty()) return Error(Code::kMalformed, "domain XML: <name> is missing or empty");
  const std::string who = StrCat("domain '", Printable(c.name), "'");
  if (const xmlNode* uuid = Child(root, "uuid"); uuid != nullptr) {
    VOUCH_ASSIGN_OR_RETURN(c.uuid, CanonicalUuid(Text(uuid), StrCat(who, ": <uuid>")));
  }
  const xmlNode* memory = Child(root, "memory");
  if (memory == nullptr) return Error(Code::kMalformed, StrCat(who, ": <memory> is missing"));
  VOUCH_ASSIGN_OR_RETURN(c.memory_kib, ParseMemoryKib(memory, StrCat(who, ": <memory>")));
  if (const xmlNode* max = Child(root, "maxMemory"); max != nullptr) {
    VOUCH_ASSIGN_OR_RETURN(c.max_memory_kib,
                           ParseMemoryKib(max, StrCat(who, ": <maxMemory>")));
  }
  const xmlNode* vcpu = Child(root, "vcpu");
  if (vcpu == nullptr) return Error(Code::kMalformed, StrCat(who, ": <vcpu> is missing"));
  VOUCH_ASSIGN_OR_RETURN(c.vcpus, ParseDecimal(Text(vcpu), StrCat(who, ": <vcpu>")));
  if (c.vcpus == 0 || c.vcpus > UINT_MAX) {
    return Error(Code::kMalformed, StrCat(who, ": <vcpu>: expected 1 to ", UINT_MAX,
                                          ", got ", c.vcpus));
  }
  VOUCH_RETURN_IF_ERROR(ParseOs(Child(root, "os"), c.os));

  // Every <devices> element, as libvirt's XPath "./devices/disk" does.
  bool have_emulator = false;
  for (const xmlNode* devices : Children(root, "devices")) {
    for (const xmlNode* d = devices->children; d != nullptr; d = d->next) {
      if (!IsElement(d) || d->ns != nullptr) continue;
      if (NameIs(d, "emulator")) {
        if (!have_emulator) c.emulator = std::string(TrimAscii(Text(d)));
        have_emulator = true;
      } else if (NameIs(d, "disk")) {
        VOUCH_ASSIGN_OR_RETURN(DomainDisk disk, ParseDisk(d, c.disks.size()));
        c.disks.push_back(std::move(disk));
      } else if (NameIs(d, "interface")) {
        VOUCH_ASSIGN_OR_RETURN(DomainInterface nic, ParseInterface(d, c.interfaces.size()));
        c.interfaces.push_back(std::move(nic));
      } else {
        c.devices.push_back(DeviceName(d));
      }
    }
  }
  std::sort(c.devices.begin(), c.devices.end());
  if (const xmlNode* ls = Child(root, "launchSecurity"); ls != nullptr) {
    c.launch_security = Attr(ls, "type");
  }
  ParseQemuNamespace(root, c);
  VOUCH_ASSIGN_OR_RETURN(c.protection_bundle, ParseBundle(root));
  return c;
}

Result<Bytes> ParseProtectElement(std::string_view xml) {
  VOUCH_ASSIGN_OR_RETURN(XmlDocPtr doc, ParseHardened(xml, "vouch metadata element"));
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!IsElement(root) || !NameIs(root, std::string(kVouchMetadataElement).c_str()) ||
      (root->ns != nullptr && !IsInNamespace(root, kVouchMetadataNamespace))) {
    return Error(Code::kMalformed,
                 StrCat("vouch metadata element: expected <protect>, got <",
                        root != nullptr ? reinterpret_cast<const char*>(root->name) : "", ">"));
  }
  return DecodeBundle(Text(root), "vouch metadata element <protect>");
}

Result<std::string> VirtioChannelSocketPath(std::string_view domain_xml,
                                            std::string_view channel_name) {
  VOUCH_ASSIGN_OR_RETURN(XmlDocPtr doc, ParseHardened(domain_xml, "domain XML"));
  VOUCH_ASSIGN_OR_RETURN(const xmlNode* root, DomainRoot(doc.get()));
  const std::string name(TrimAscii(Text(Child(root, "name"))));
  const std::string who = name.empty() ? "domain" : StrCat("domain '", Printable(name), "'");
  const std::string channel = StrCat("virtio channel '", Printable(channel_name), "'");
  const xmlNode* found = FindVirtioChannel(root, channel_name);
  if (found == nullptr) {
    return Error(Code::kNotFound, StrCat(who, " has no ", channel, " bound to a unix socket"));
  }
  const xmlNode* source = Child(found, "source");
  if (Attr(found, "type") != "unix" || Attr(source, "mode") != "bind") {
    return Error(Code::kNotFound,
                 StrCat(who, ": ", channel, " is type='", Printable(Attr(found, "type")), "' mode='",
                        Printable(Attr(source, "mode")),
                        "', expected type='unix' mode='bind' (a unix socket libvirt binds)"));
  }
  std::string path = Attr(source, "path");
  if (path.empty()) {
    return Error(Code::kNotFound,
                 StrCat(who, ": ", channel, " has no socket path (libvirt assigns one when the "
                        "domain starts: read the live XML)"));
  }
  return path;
}

}  // namespace vouch::qemu
