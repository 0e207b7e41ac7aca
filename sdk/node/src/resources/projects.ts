import type { ItemOf } from '../core/types.js';
import { CrudResource, DeletableCrudResource } from '../internal/crud.js';
import type { Transport } from '../internal/http.js';
import { NestedCrudResource } from '../internal/nested.js';

/** Who may track time on a project (and at which rates). */
export class UserAssignments extends NestedCrudResource<
  '/api/v2/projects/{project_id}/user_assignments',
  'user_assignments',
  '/api/v2/projects/{project_id}/user_assignments/{id}'
> {
  protected readonly path = '/api/v2/projects/{project_id}/user_assignments';
  protected readonly itemPath = '/api/v2/projects/{project_id}/user_assignments/{id}';
  protected readonly key = 'user_assignments';
}

/** Which tasks a project offers (and at which rates). */
export class TaskAssignments extends NestedCrudResource<
  '/api/v2/projects/{project_id}/task_assignments',
  'task_assignments',
  '/api/v2/projects/{project_id}/task_assignments/{id}'
> {
  protected readonly path = '/api/v2/projects/{project_id}/task_assignments';
  protected readonly itemPath = '/api/v2/projects/{project_id}/task_assignments/{id}';
  protected readonly key = 'task_assignments';
}

export class Projects extends DeletableCrudResource<'/api/v2/projects', 'projects'> {
  protected readonly path = '/api/v2/projects';
  protected readonly key = 'projects';
  readonly userAssignments: UserAssignments;
  readonly taskAssignments: TaskAssignments;

  constructor(transport: Transport) {
    super(transport);
    this.userAssignments = new UserAssignments(transport);
    this.taskAssignments = new TaskAssignments(transport);
  }
}
export type Project = ItemOf<'GET /api/v2/projects', 'projects'>;
