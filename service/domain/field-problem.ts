/** A broken rule at one field of a request, named by a JSON Pointer; the edge chooses the status. */
export interface FieldProblem {
  path: string
  message: string
}
