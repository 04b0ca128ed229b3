import type { Routes } from '@angular/router';
import { About } from './about';
import { Longop } from './longop';

export const routes: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'longop' },
  { path: 'longop', component: Longop, title: 'rxwamp: longop' },
  { path: 'about', component: About, title: 'rxwamp: about' },
];
