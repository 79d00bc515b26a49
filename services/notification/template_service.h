// File: services/notification/template_service.h
//
// TemplateService (templates.proto): the message and letter templates of
// notifyd, editable through the API, each change a new revision (AIP-162,
// `templates/{template}@{revision_id}`). The class only translates between
// protobuf, the store (template_store.h) and the renderer
// (templates/template_renderer.h).
//
// Rules:
//  - A template that does not render with its sample context, or includes a
//    partial (`{{> id}}`) that is not a current template, is refused at
//    save time: INVALID_ARGUMENT naming each field
//    ("template.variants[0].body_template"), templates::TemplateProblems
//    with the partials of every current template. Create, Update and
//    Rollback all check it; validate_only checks and writes nothing.
//  - The shipped templates are listed and read until a revision of the same
//    id is saved (UpdateTemplate on a shipped template, etag "v0"); their
//    shipped content stays revision "0". CreateTemplate of a shipped id is
//    ALREADY_EXISTS.
//  - Writes need the admin role ("Writing needs an administrator role of the
//    notification service"); reads need an authenticated caller only.
//  - Every change is one atomic write (common/change.h RunStagedChange):
//    the current record (version checked: a stale etag is ABORTED), the
//    revision record and the indexes, with the idempotency record of its
//    request_id (AIP-155); the audit is the revision's update_stamp (who,
//    when, request id), kept with every revision. Templates publish no
//    events (events.proto has none for them).
//  - RenderTemplate renders the current (or a given) revision with the
//    request's context JSON (default the sample context), exactly as the
//    delivery engine will; it writes nothing.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_TEMPLATE_SERVICE_H_
#define PARTYDEV_SERVICES_NOTIFICATION_TEMPLATE_SERVICE_H_

#include <memory>

#include "absl/status/status.h"
#include "common/change.h"
#include "common/service_runtime.h"
#include "partydev/notification/v1/templates.grpc.pb.h"
#include "services/notification/notification_context.h"
#include "services/notification/template_store.h"

namespace partydev::notification {

class TemplateServiceImpl final : public v1::TemplateService::CallbackService {
 public:
  explicit TemplateServiceImpl(std::shared_ptr<NotificationContext> context);

  grpc::ServerUnaryReactor* CreateTemplate(
      grpc::CallbackServerContext* context,
      const v1::CreateTemplateRequest* request,
      v1::Template* response) override;
  grpc::ServerUnaryReactor* GetTemplate(grpc::CallbackServerContext* context,
                                        const v1::GetTemplateRequest* request,
                                        v1::Template* response) override;
  grpc::ServerUnaryReactor* ListTemplates(
      grpc::CallbackServerContext* context,
      const v1::ListTemplatesRequest* request,
      v1::ListTemplatesResponse* response) override;
  grpc::ServerUnaryReactor* UpdateTemplate(
      grpc::CallbackServerContext* context,
      const v1::UpdateTemplateRequest* request,
      v1::Template* response) override;
  grpc::ServerUnaryReactor* ListTemplateRevisions(
      grpc::CallbackServerContext* context,
      const v1::ListTemplateRevisionsRequest* request,
      v1::ListTemplateRevisionsResponse* response) override;
  grpc::ServerUnaryReactor* RollbackTemplate(
      grpc::CallbackServerContext* context,
      const v1::RollbackTemplateRequest* request,
      v1::Template* response) override;
  grpc::ServerUnaryReactor* RenderTemplate(
      grpc::CallbackServerContext* context,
      const v1::RenderTemplateRequest* request,
      v1::RenderTemplateResponse* response) override;

 private:
  absl::Status DoCreateTemplate(const CallContext& call,
                                const v1::CreateTemplateRequest& r,
                                v1::Template& out);
  absl::Status DoGetTemplate(const CallContext& call,
                             const v1::GetTemplateRequest& r,
                             v1::Template& out);
  absl::Status DoListTemplates(const CallContext& call,
                               const v1::ListTemplatesRequest& r,
                               v1::ListTemplatesResponse& out);
  absl::Status DoUpdateTemplate(const CallContext& call,
                                const v1::UpdateTemplateRequest& r,
                                v1::Template& out);
  absl::Status DoListTemplateRevisions(
      const CallContext& call, const v1::ListTemplateRevisionsRequest& r,
      v1::ListTemplateRevisionsResponse& out);
  absl::Status DoRollbackTemplate(const CallContext& call,
                                  const v1::RollbackTemplateRequest& r,
                                  v1::Template& out);
  absl::Status DoRenderTemplate(const CallContext& call,
                                const v1::RenderTemplateRequest& r,
                                v1::RenderTemplateResponse& out);

  // Stages `next` (content decided, name "templates/{id}") as the revision
  // after `current`: revision id, its time and stamps; fills `out`.
  void StageRevision(const CallContext& call, const std::string& request_id,
                     const CurrentTemplate& current, v1::Template next,
                     bool validate_only, StagedChange& change,
                     v1::Template& out);

  std::shared_ptr<NotificationContext> context_;
  TemplateStore store_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_TEMPLATE_SERVICE_H_
