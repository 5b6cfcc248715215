// Everything a sink plugin needs. Transport plugins also include kamgw/transport.hpp.
#pragma once

#include "kamgw/config.hpp"
#include "kamgw/decimal.hpp"
#include "kamgw/log.hpp"
#include "kamgw/plugin.hpp"
#include "kamgw/reading.hpp"
#include "kamgw/register_info.hpp"
#include "kamgw/sink.hpp"
#include "kamgw/units.hpp"
