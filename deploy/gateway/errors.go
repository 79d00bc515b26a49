// gRPC errors as HTTP responses: the status from the gRPC code
// (runtime.HTTPStatusFromCode), and a JSON body with the code, its name, the
// message and every status detail (google.rpc.BadRequest field violations,
// PreconditionFailure, ErrorInfo...) rendered as proto3 JSON with its @type.

package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/grpc-ecosystem/grpc-gateway/runtime"
	rpccode "google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	// Registers google.rpc.BadRequest, PreconditionFailure, ErrorInfo, ...
	// so that the details of an error unmarshal and render as JSON.
	_ "google.golang.org/genproto/googleapis/rpc/errdetails"
)

// errorBody is what a failed unary call returns (docs/rest.md).
type errorBody struct {
	Code    int32             `json:"code"`    // the gRPC code, e.g. 3
	Status  string            `json:"status"`  // its name, e.g. INVALID_ARGUMENT
	Message string            `json:"message"` // the service's message
	Details []json.RawMessage `json:"details,omitempty"`
}

// writeError is the mux's ProtoErrorHandler.
func writeError(ctx context.Context, mux *runtime.ServeMux, marshaler runtime.Marshaler,
	w http.ResponseWriter, r *http.Request, err error) {
	s, ok := status.FromError(err)
	if !ok {
		s = status.New(codes.Unknown, err.Error())
	}
	httpStatus := runtime.HTTPStatusFromCode(s.Code())
	// grpc-gateway 1.6.4 reports a path it does not serve as UNIMPLEMENTED
	// with the text of 501 (and a wrong method with the text of 405): those
	// are the gateway's own answers, given their proper HTTP statuses.
	if s.Code() == codes.Unimplemented {
		switch s.Message() {
		case http.StatusText(http.StatusNotImplemented):
			s = status.New(codes.NotFound, "no REST method at "+r.Method+" "+r.URL.Path)
			httpStatus = http.StatusNotFound
		case http.StatusText(http.StatusMethodNotAllowed):
			httpStatus = http.StatusMethodNotAllowed
		}
	}
	body := errorBody{Code: int32(s.Code()), Status: rpccode.Code_name[int32(s.Code())], Message: s.Message()}
	for _, detail := range s.Proto().GetDetails() {
		buf, merr := marshaler.Marshal(detail)
		if merr != nil {
			// A detail type this binary does not know: its raw bytes.
			buf, _ = json.Marshal(map[string]string{
				"@type": detail.GetTypeUrl(),
				"value": base64.StdEncoding.EncodeToString(detail.GetValue()),
			})
		}
		body.Details = append(body.Details, json.RawMessage(buf))
	}
	// Messages are shown as written ("<", "&" unescaped).
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	var buf []byte
	if merr := enc.Encode(body); merr == nil {
		buf = out.Bytes()
	} else {
		buf = []byte(`{"code":13,"status":"INTERNAL","message":"failed to render the error"}`)
		httpStatus = http.StatusInternalServerError
	}
	// The backend's response metadata (x-request-id...) as headers, as a
	// successful call has them.
	if md, ok := runtime.ServerMetadataFromContext(ctx); ok {
		for key, values := range md.HeaderMD {
			for _, v := range values {
				w.Header().Add(runtime.MetadataHeaderPrefix+key, v)
			}
		}
	}
	w.Header().Del("Trailer")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(httpStatus)
	w.Write(buf)
}
