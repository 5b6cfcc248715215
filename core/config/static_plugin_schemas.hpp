// PluginSchemas over a fixed list of descriptors, for tests and tools that need no plugin
// files on disk. The descriptors (and the schema tables they point to) must outlive this.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/plugin_schemas.hpp"

namespace kamgw::config {

class StaticPluginSchemas : public PluginSchemas {
public:
    StaticPluginSchemas() = default;
    StaticPluginSchemas(std::initializer_list<const PluginDescriptor*> descriptors) : descriptors_(descriptors) {}
    explicit StaticPluginSchemas(std::vector<const PluginDescriptor*> descriptors)
        : descriptors_(std::move(descriptors)) {}

    void add(const PluginDescriptor* descriptor) { descriptors_.push_back(descriptor); }

    [[nodiscard]] const PluginDescriptor* sink(std::string_view type) const override {
        for (const PluginDescriptor* d : descriptors_)
            if (d->kind == PluginKind::sink && d->name == type) return d;
        return nullptr;
    }

    [[nodiscard]] const PluginDescriptor* transport_for_scheme(std::string_view scheme) const override {
        for (const PluginDescriptor* d : descriptors_) {
            if (d->kind != PluginKind::transport) continue;
            for (std::string_view s : d->url_schemes)
                if (s == scheme) return d;
        }
        return nullptr;
    }

    [[nodiscard]] std::vector<std::string> sink_types() const override {
        std::vector<std::string> out;
        for (const PluginDescriptor* d : descriptors_)
            if (d->kind == PluginKind::sink) out.emplace_back(d->name);
        return sorted_unique(std::move(out));
    }

    [[nodiscard]] std::vector<std::string> url_schemes() const override {
        std::vector<std::string> out;
        for (const PluginDescriptor* d : descriptors_)
            if (d->kind == PluginKind::transport)
                for (std::string_view s : d->url_schemes) out.emplace_back(s);
        return sorted_unique(std::move(out));
    }

private:
    static std::vector<std::string> sorted_unique(std::vector<std::string> v) {
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
        return v;
    }

    std::vector<const PluginDescriptor*> descriptors_;
};

}  // namespace kamgw::config
