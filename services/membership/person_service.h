// File: services/membership/person_service.h
//
// partydev.membership.v1.PersonService: a thin translation of each RPC to
// its Do<Rpc> method, which validates, authorises (subtree, roles), applies
// the domain rules and commits through PersonChangeRecorder.
//
// person_service.cc: GetPerson, ListPeople, CreatePerson, UpdatePerson.
// person_lifecycle.cc: transfers, exemption, removal, resignation, death,
// disciplines, improvement periods, party age.

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_PERSON_SERVICE_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_PERSON_SERVICE_H_

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/service_runtime.h"
#include "partydev/membership/v1/people.grpc.pb.h"
#include "services/membership/deadline_watch.h"
#include "services/membership/membership_context.h"

namespace partydev::membership {

// CreatePerson's work, shared with the CSV import: validates, authorises
// and registers a candidate or an existing member in one atomic write.
absl::Status RegisterPerson(MembershipContext& context, const CallContext& call,
                            const v1::CreatePersonRequest& request,
                            v1::Person& response);

// A member's party age on `as_of`: from the first admission, less the
// recorded gaps (people/{id}/partyAgeGaps) and `extra` ones (Party Charter
// art. 6; person_lifecycle.cc).
absl::StatusOr<v1::PartyAge> PartyAgeOf(
    MembershipContext& context, const v1::Person& person,
    const common::v1::Date& as_of, const std::vector<v1::PartyAgeGap>& extra);

class PersonServiceImpl final : public v1::PersonService::CallbackService {
 public:
  explicit PersonServiceImpl(std::shared_ptr<MembershipContext> context);

  // Keeps the scanner of people's deadlines running as long as the
  // service lives (it stops before the service is destroyed).
  void OwnDeadlineWatch(std::unique_ptr<DeadlineWatch> watch) {
    deadline_watch_ = std::move(watch);
  }

  grpc::ServerUnaryReactor* GetPerson(grpc::CallbackServerContext* context,
                                      const v1::GetPersonRequest* request,
                                      v1::Person* response) override;
  grpc::ServerUnaryReactor* ListPeople(
      grpc::CallbackServerContext* context,
      const v1::ListPeopleRequest* request,
      v1::ListPeopleResponse* response) override;
  grpc::ServerUnaryReactor* CreatePerson(grpc::CallbackServerContext* context,
                                         const v1::CreatePersonRequest* request,
                                         v1::Person* response) override;
  grpc::ServerUnaryReactor* UpdatePerson(grpc::CallbackServerContext* context,
                                         const v1::UpdatePersonRequest* request,
                                         v1::Person* response) override;
  grpc::ServerUnaryReactor* CreateTransfer(
      grpc::CallbackServerContext* context,
      const v1::CreateTransferRequest* request,
      v1::Transfer* response) override;
  grpc::ServerUnaryReactor* GetTransfer(grpc::CallbackServerContext* context,
                                        const v1::GetTransferRequest* request,
                                        v1::Transfer* response) override;
  grpc::ServerUnaryReactor* ListTransfers(
      grpc::CallbackServerContext* context,
      const v1::ListTransfersRequest* request,
      v1::ListTransfersResponse* response) override;
  grpc::ServerUnaryReactor* IssueTransferLetter(
      grpc::CallbackServerContext* context,
      const v1::IssueTransferLetterRequest* request,
      v1::Transfer* response) override;
  grpc::ServerUnaryReactor* ReceiveTransfer(
      grpc::CallbackServerContext* context,
      const v1::ReceiveTransferRequest* request,
      v1::Transfer* response) override;
  grpc::ServerUnaryReactor* EndTemporaryTransfer(
      grpc::CallbackServerContext* context,
      const v1::EndTemporaryTransferRequest* request,
      v1::Transfer* response) override;
  grpc::ServerUnaryReactor* CancelTransfer(
      grpc::CallbackServerContext* context,
      const v1::CancelTransferRequest* request,
      v1::Transfer* response) override;
  grpc::ServerUnaryReactor* ExemptMember(grpc::CallbackServerContext* context,
                                         const v1::ExemptMemberRequest* request,
                                         v1::Person* response) override;
  grpc::ServerUnaryReactor* EndExemption(grpc::CallbackServerContext* context,
                                         const v1::EndExemptionRequest* request,
                                         v1::Person* response) override;
  grpc::ServerUnaryReactor* RemoveMember(grpc::CallbackServerContext* context,
                                         const v1::RemoveMemberRequest* request,
                                         v1::Person* response) override;
  grpc::ServerUnaryReactor* RecordResignation(
      grpc::CallbackServerContext* context,
      const v1::RecordResignationRequest* request,
      v1::Person* response) override;
  grpc::ServerUnaryReactor* RecordDeath(grpc::CallbackServerContext* context,
                                        const v1::RecordDeathRequest* request,
                                        v1::Person* response) override;
  grpc::ServerUnaryReactor* CreateDiscipline(
      grpc::CallbackServerContext* context,
      const v1::CreateDisciplineRequest* request,
      v1::Discipline* response) override;
  grpc::ServerUnaryReactor* GetDiscipline(
      grpc::CallbackServerContext* context,
      const v1::GetDisciplineRequest* request,
      v1::Discipline* response) override;
  grpc::ServerUnaryReactor* ListDisciplines(
      grpc::CallbackServerContext* context,
      const v1::ListDisciplinesRequest* request,
      v1::ListDisciplinesResponse* response) override;
  grpc::ServerUnaryReactor* UpdateDiscipline(
      grpc::CallbackServerContext* context,
      const v1::UpdateDisciplineRequest* request,
      v1::Discipline* response) override;
  grpc::ServerUnaryReactor* CreateImprovementPeriod(
      grpc::CallbackServerContext* context,
      const v1::CreateImprovementPeriodRequest* request,
      v1::ImprovementPeriod* response) override;
  grpc::ServerUnaryReactor* GetImprovementPeriod(
      grpc::CallbackServerContext* context,
      const v1::GetImprovementPeriodRequest* request,
      v1::ImprovementPeriod* response) override;
  grpc::ServerUnaryReactor* ListImprovementPeriods(
      grpc::CallbackServerContext* context,
      const v1::ListImprovementPeriodsRequest* request,
      v1::ListImprovementPeriodsResponse* response) override;
  grpc::ServerUnaryReactor* ReviewImprovementPeriod(
      grpc::CallbackServerContext* context,
      const v1::ReviewImprovementPeriodRequest* request,
      v1::ImprovementPeriod* response) override;
  grpc::ServerUnaryReactor* CloseImprovementPeriod(
      grpc::CallbackServerContext* context,
      const v1::CloseImprovementPeriodRequest* request,
      v1::ImprovementPeriod* response) override;
  grpc::ServerUnaryReactor* GetPartyAge(grpc::CallbackServerContext* context,
                                        const v1::GetPartyAgeRequest* request,
                                        v1::PartyAge* response) override;
  grpc::ServerUnaryReactor* RecordPartyAgeGap(
      grpc::CallbackServerContext* context,
      const v1::RecordPartyAgeGapRequest* request,
      v1::PartyAge* response) override;

 private:
  // The work of each RPC, run on the worker pool by runtime().Unary.
  absl::Status DoGetPerson(const CallContext& call,
                           const v1::GetPersonRequest& request,
                           v1::Person& response);
  absl::Status DoListPeople(const CallContext& call,
                            const v1::ListPeopleRequest& request,
                            v1::ListPeopleResponse& response);
  absl::Status DoCreatePerson(const CallContext& call,
                              const v1::CreatePersonRequest& request,
                              v1::Person& response);
  absl::Status DoUpdatePerson(const CallContext& call,
                              const v1::UpdatePersonRequest& request,
                              v1::Person& response);
  absl::Status DoCreateTransfer(const CallContext& call,
                                const v1::CreateTransferRequest& request,
                                v1::Transfer& response);
  absl::Status DoGetTransfer(const CallContext& call,
                             const v1::GetTransferRequest& request,
                             v1::Transfer& response);
  absl::Status DoListTransfers(const CallContext& call,
                               const v1::ListTransfersRequest& request,
                               v1::ListTransfersResponse& response);
  absl::Status DoIssueTransferLetter(
      const CallContext& call, const v1::IssueTransferLetterRequest& request,
      v1::Transfer& response);
  absl::Status DoReceiveTransfer(const CallContext& call,
                                 const v1::ReceiveTransferRequest& request,
                                 v1::Transfer& response);
  absl::Status DoEndTemporaryTransfer(
      const CallContext& call, const v1::EndTemporaryTransferRequest& request,
      v1::Transfer& response);
  absl::Status DoCancelTransfer(const CallContext& call,
                                const v1::CancelTransferRequest& request,
                                v1::Transfer& response);
  absl::Status DoExemptMember(const CallContext& call,
                              const v1::ExemptMemberRequest& request,
                              v1::Person& response);
  absl::Status DoEndExemption(const CallContext& call,
                              const v1::EndExemptionRequest& request,
                              v1::Person& response);
  absl::Status DoRemoveMember(const CallContext& call,
                              const v1::RemoveMemberRequest& request,
                              v1::Person& response);
  absl::Status DoRecordResignation(const CallContext& call,
                                   const v1::RecordResignationRequest& request,
                                   v1::Person& response);
  absl::Status DoRecordDeath(const CallContext& call,
                             const v1::RecordDeathRequest& request,
                             v1::Person& response);
  absl::Status DoCreateDiscipline(const CallContext& call,
                                  const v1::CreateDisciplineRequest& request,
                                  v1::Discipline& response);
  absl::Status DoGetDiscipline(const CallContext& call,
                               const v1::GetDisciplineRequest& request,
                               v1::Discipline& response);
  absl::Status DoListDisciplines(const CallContext& call,
                                 const v1::ListDisciplinesRequest& request,
                                 v1::ListDisciplinesResponse& response);
  absl::Status DoUpdateDiscipline(const CallContext& call,
                                  const v1::UpdateDisciplineRequest& request,
                                  v1::Discipline& response);
  absl::Status DoCreateImprovementPeriod(
      const CallContext& call,
      const v1::CreateImprovementPeriodRequest& request,
      v1::ImprovementPeriod& response);
  absl::Status DoGetImprovementPeriod(
      const CallContext& call, const v1::GetImprovementPeriodRequest& request,
      v1::ImprovementPeriod& response);
  absl::Status DoListImprovementPeriods(
      const CallContext& call, const v1::ListImprovementPeriodsRequest& request,
      v1::ListImprovementPeriodsResponse& response);
  absl::Status DoReviewImprovementPeriod(
      const CallContext& call,
      const v1::ReviewImprovementPeriodRequest& request,
      v1::ImprovementPeriod& response);
  absl::Status DoCloseImprovementPeriod(
      const CallContext& call, const v1::CloseImprovementPeriodRequest& request,
      v1::ImprovementPeriod& response);
  absl::Status DoGetPartyAge(const CallContext& call,
                             const v1::GetPartyAgeRequest& request,
                             v1::PartyAge& response);
  absl::Status DoRecordPartyAgeGap(const CallContext& call,
                                   const v1::RecordPartyAgeGapRequest& request,
                                   v1::PartyAge& response);

  std::shared_ptr<MembershipContext> context_;
  std::unique_ptr<DeadlineWatch> deadline_watch_;
};

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_PERSON_SERVICE_H_
