// Placeholder: replaced by the part that owns it.
#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_DUES_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_DUES_H_
namespace partydev::membership::domain {}
#endif
